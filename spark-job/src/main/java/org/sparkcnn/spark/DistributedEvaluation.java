package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.data.MnistDataset;
import org.sparkcnn.core.eval.EvalCounts;
import org.sparkcnn.core.eval.Evaluator;
import org.sparkcnn.core.train.DataOrder;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation over the test set in {@code partitions} tasks: each evaluates a contiguous range and returns
 * mergeable counts; the driver adds them up in partition order.
 */
public final class DistributedEvaluation {
    private DistributedEvaluation() { }

    public static EvalCounts evaluate(JavaSparkContext sc, ModelSpec spec, float[] params,
                                      Broadcast<MnistDataset> test, int partitions) {
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ids.add(p);
        }
        Broadcast<float[]> bc = sc.broadcast(params);
        try {
            List<EvalCounts> parts = sc.parallelize(ids, partitions)
                    .map(new EvaluateRange(spec, bc, test, partitions)).collect();
            EvalCounts total = EvalCounts.zero(spec.outputs());
            for (EvalCounts c : parts) {
                total = total.plus(c);
            }
            return total;
        } finally {
            bc.destroy();
        }
    }

    /** Executor side: counts for partition p's range of the test set. */
    static final class EvaluateRange implements Function<Integer, EvalCounts> {
        private final ModelSpec spec;
        private final Broadcast<float[]> params;
        private final Broadcast<MnistDataset> test;
        private final int partitions;

        EvaluateRange(ModelSpec spec, Broadcast<float[]> params, Broadcast<MnistDataset> test, int partitions) {
            this.spec = spec;
            this.params = params;
            this.test = test;
            this.partitions = partitions;
        }

        @Override
        public EvalCounts call(Integer p) {
            org.apache.spark.TaskContext ctx = org.apache.spark.TaskContext.get();
            NativeThreads.limit(ctx == null ? 1 : Math.max(1, ctx.cpus()));
            MnistDataset d = test.value();
            Network net = new Network(spec, DataType.FLOAT);
            net.params().assign(Nd4j.createFromArray(params.value()));
            return Evaluator.evaluate(net, d, DataOrder.shardStart(d.size(), partitions, p),
                    DataOrder.shardStart(d.size(), partitions, p + 1), 250);
        }
    }
}
