package org.sparkcnn.spark;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskContext;
import org.sparkcnn.spark.data.ExampleChunk;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;

/**
 * A round on the executors as one barrier job, when every worker has a task slot at once: task w runs worker w's
 * local steps and stores its slices ({@link LocalSgdToBlocks}); an all-gather of the examples each worker processed
 * both waits for every worker's slices and gives every task the round's weights; then task k &lt; K averages slice k
 * ({@link SliceAverager}: the same fetches, the same sum in worker order, so the same bits as the two-job round's
 * averaging task). The job replaces the two-job round's second job and its scheduling.
 */
final class BarrierRound extends AbstractFunction2<TaskContext, Iterator<ExampleChunk>, BarrierReport>
        implements Serializable {
    private final LocalSgdToBlocks steps;
    private final ExchangeRound x;
    private final String runId;
    private final int globalRound;
    private final int failFirstAttemptOfRound;

    BarrierRound(LocalSgd sgd, RoundTask task, ExchangeRound x, int failFirstAttemptOfRound) {
        this.steps = new LocalSgdToBlocks(sgd, task, x);
        this.x = x;
        this.runId = sgd.runId();
        this.globalRound = task.globalRound();
        this.failFirstAttemptOfRound = failFirstAttemptOfRound;
    }

    @Override
    public BarrierReport apply(TaskContext ctx, Iterator<ExampleChunk> chunks) {
        WorkerStats stats = steps.apply(ctx, chunks);
        String[] gathered = BarrierSync.allGather(BarrierTaskContext.get(), Long.toString(stats.examples()));
        long began = System.nanoTime();
        int k = ctx.partitionId();
        if (k >= x.layout().slices()) {
            return new BarrierReport(stats, 0, 0);
        }
        long[] examples = new long[gathered.length];
        for (int w = 0; w < examples.length; w++) {
            examples[w] = Long.parseLong(gathered[w]);
        }
        long fetched = new SliceAverager(runId, x, WeightedMean.weights(examples), globalRound,
                failFirstAttemptOfRound).average(k, ctx.attemptNumber());
        return new BarrierReport(stats, (System.nanoTime() - began) / 1e9, fetched);
    }
}
