package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.data.ImageChunks;
import org.sparkcnn.core.eval.EvalCounts;
import org.sparkcnn.core.eval.Evaluator;
import org.sparkcnn.spark.data.ExampleChunk;
import org.sparkcnn.spark.data.Shards;
import scala.collection.Iterator;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;

/**
 * Evaluation over a data set cached on the executors: one task per shard evaluates its shard and returns
 * mergeable counts (a K×K confusion matrix and a loss sum); the driver adds them up in shard order.
 */
public final class DistributedEvaluation {
    private DistributedEvaluation() { }

    public static EvalCounts evaluate(JavaSparkContext sc, ModelSpec spec, float[] params, Shards test) {
        Broadcast<float[]> bc = sc.broadcast(params);
        try {
            sc.setJobDescription("evaluation on " + test.size() + " examples");
            Object parts = sc.sc().runJob(test.rdd().rdd(), new EvaluateShard(spec, test, bc),
                    ClassTag$.MODULE$.apply(EvalCounts.class));
            EvalCounts total = EvalCounts.zero(spec.outputs());
            for (EvalCounts c : (EvalCounts[]) parts) {
                total = total.plus(c);
            }
            return total;
        } finally {
            sc.setJobDescription(null);
            bc.destroy();
        }
    }

    /** Executor side: counts for one cached shard. */
    static final class EvaluateShard extends AbstractFunction2<TaskContext, Iterator<ExampleChunk>, EvalCounts>
            implements Serializable {
        private final ModelSpec spec;
        private final org.sparkcnn.core.Shape shape;
        private final Broadcast<float[]> params;

        EvaluateShard(ModelSpec spec, Shards test, Broadcast<float[]> params) {
            this.spec = spec;
            this.shape = test.shape();
            this.params = params;
        }

        @Override
        public EvalCounts apply(TaskContext ctx, Iterator<ExampleChunk> chunks) {
            NativeThreads.limit(Math.max(1, ctx.cpus()));
            ImageChunks d = Shards.view(shape, chunks);
            Network net = new Network(spec);
            net.params().assign(Nd4j.createFromArray(params.value()));
            return Evaluator.evaluate(net, d, 0, d.size(), 250);
        }
    }
}
