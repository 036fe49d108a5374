package org.sparkcnn.spark;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskContext;
import org.sparkcnn.core.data.ImageChunks;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.spark.data.ExampleChunk;
import org.sparkcnn.spark.exchange.SliceBlocks;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Rounds on the executors as one barrier job, when every worker has a task slot at once. In each round, task w runs
 * worker w's local steps and stores its slices ({@link LocalSgdToBlocks}); an all-gather of the examples each worker
 * processed both waits for every worker's slices and gives every task the round's weights; then task k &lt; K
 * averages slice k ({@link SliceAverager}: the same fetches, the same sum in worker order, so the same bits as the
 * two-job round's averaging task). The job replaces the two-job round's second job and its scheduling.
 * <p>
 * A job of several rounds adds a barrier after each round's averaging (the next round's workers read every averaged
 * slice), and each task then removes the blocks it stored that no one reads any more: its slices of the round, and
 * what it stored in the round before (a worker's optimizer state, an averaged slice), so a job holds about two
 * rounds of blocks however many it runs. Blocks the job started from are left alone: a failed job runs its rounds
 * again from them. A round in which a worker's loss became NaN or infinite ends the job for every task.
 */
final class BarrierRound extends AbstractFunction2<TaskContext, Iterator<ExampleChunk>, BarrierReport[]>
        implements Serializable {
    private final LocalSgd sgd;
    private final RoundTask[] tasks;
    private final ExchangeRound[] exchanges;
    private final int failFirstAttemptOfRound;

    /** Rounds {@code tasks}, each exchanging through {@code exchanges[i]}, whose inputs are round i-1's outputs. */
    BarrierRound(LocalSgd sgd, RoundTask[] tasks, ExchangeRound[] exchanges, int failFirstAttemptOfRound) {
        if (tasks.length == 0 || tasks.length != exchanges.length) {
            throw new IllegalArgumentException(tasks.length + " rounds with " + exchanges.length + " exchanges");
        }
        this.sgd = sgd;
        this.tasks = tasks;
        this.exchanges = exchanges;
        this.failFirstAttemptOfRound = failFirstAttemptOfRound;
    }

    @Override
    public BarrierReport[] apply(TaskContext ctx, Iterator<ExampleChunk> chunks) {
        BarrierTaskContext barrier = BarrierTaskContext.get();
        ImageChunks shard = sgd.shard(chunks);
        LocalTrainer trainer = sgd.trainer(ctx);
        List<BarrierReport> reports = new ArrayList<>(tasks.length);
        for (int i = 0; i < tasks.length; i++) {
            ExchangeRound x = exchanges[i];
            WorkerStats stats = new LocalSgdToBlocks(sgd, tasks[i], x).run(ctx, shard, trainer);
            String[] gathered = BarrierSync.allGather(barrier, stats.examples() + " "
                    + Double.isFinite(stats.lossSum()));
            long began = System.nanoTime();
            long[] examples = new long[gathered.length];
            boolean diverged = false;
            for (int w = 0; w < examples.length; w++) {
                String[] parts = gathered[w].split(" ");
                examples[w] = Long.parseLong(parts[0]);
                diverged |= !Boolean.parseBoolean(parts[1]);
            }
            int k = ctx.partitionId();
            long fetched = 0;
            if (k < x.layout().slices() && !diverged) {
                fetched = new SliceAverager(sgd.runId(), x, WeightedMean.weights(examples), tasks[i].globalRound(),
                        failFirstAttemptOfRound).average(k, ctx.attemptNumber());
            }
            reports.add(new BarrierReport(stats, k < x.layout().slices() ? (System.nanoTime() - began) / 1e9 : 0,
                    fetched));
            if (diverged || i == tasks.length - 1) {
                break;
            }
            BarrierSync.allGather(barrier, "");            // every averaged slice of round i is stored
            removeRead(ctx.partitionId(), i);
        }
        return reports.toArray(BarrierReport[]::new);
    }

    /**
     * Removes, once every task has finished round {@code i}, the blocks task {@code p} stored that no one reads any
     * more: its slices of round i, and its optimizer state and averaged slice of round i-1 (round i read them).
     */
    private void removeRead(int p, int i) {
        ExchangeRound x = exchanges[i];
        int slices = x.layout().slices();
        for (int k = 0; k < slices; k++) {
            SliceBlocks.removeLocal(x.slicesOut(), p * slices + k);
        }
        if (i > 0) {
            ExchangeRound before = exchanges[i - 1];
            SliceBlocks.removeLocal(before.statesOut(), p);
            SliceBlocks.removeLocal(before.averagedOut(), p);
            SliceBlocks.removeLocal(before.deltasOut(), p);
        }
    }
}
