package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.data.MnistDataset;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.core.train.Seeds;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;

/**
 * The executor side of a round: worker w loads the broadcast parameters and optimizer state into its cached
 * trainer and runs its next τ local SGD steps on its shard of this epoch's permutation. The result is a
 * deterministic function of the broadcast, the shard and the round, so a retried task returns the same result.
 * A loss that becomes NaN or infinite ends the worker's round early with a NaN loss sum, which the driver reports.
 */
final class LocalSgd extends AbstractFunction2<TaskContext, Iterator<Integer>, WorkerResult> implements Serializable {
    private final String runId;
    private final TrainingPlan plan;
    private final Broadcast<MnistDataset> data;
    private final Broadcast<RoundTask> task;
    private final int failFirstAttemptOfRound;

    LocalSgd(String runId, TrainingPlan plan, Broadcast<MnistDataset> data, Broadcast<RoundTask> task,
             int failFirstAttemptOfRound) {
        this.runId = runId;
        this.plan = plan;
        this.data = data;
        this.task = task;
        this.failFirstAttemptOfRound = failFirstAttemptOfRound;
    }

    /** Runs worker {@code ids.next()}'s round (each partition of the workers RDD holds one worker index). */
    @Override
    public WorkerResult apply(TaskContext ctx, Iterator<Integer> ids) {
        int worker = ids.next();
        // A task of k cores splits each minibatch over k threads, each calling single-threaded BLAS.
        int cores = ctx == null ? 1 : Math.max(1, ctx.cpus());
        NativeThreads.limit(1);
        RoundTask t = task.value();
        MnistDataset d = data.value();
        LocalTrainer trainer = WorkerCache.trainer(runId, worker, plan, cores);
        copyInto(trainer.network().params(), t.params());
        copyInto(trainer.optimizer().state(), t.stateFor(worker));

        int n = d.size();
        int start = DataOrder.shardStart(n, plan.workers(), worker);
        int end = DataOrder.shardStart(n, plan.workers(), worker + 1);
        int batches = DataOrder.batches(end - start, plan.batchSize());
        int[] order = DataOrder.permutation(n, plan.seed(), t.epoch());
        long began = System.nanoTime();
        long examples = 0;
        double lossSum = 0;
        int steps = 0;
        for (int b = t.round() * t.tau(); b < Math.min(batches, (t.round() + 1) * t.tau()); b++) {
            int from = start + b * plan.batchSize();
            int count = Math.min(plan.batchSize(), end - from);
            double loss;
            try {
                loss = trainer.step(d, order, from, count, t.iteration() + steps,
                        Seeds.mix(plan.seed(), t.epoch(), worker, b));
            } catch (LocalTrainer.DivergedException e) {
                // Divergence is a result, not a task failure: retrying it is pointless, and the driver reports it.
                lossSum = Double.NaN;
                break;
            }
            lossSum += loss * count;
            examples += count;
            steps++;
            failIfInjected(ctx, t);                                 // mid-round: after the first step
        }
        if (steps == 0) {
            failIfInjected(ctx, t);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        return new WorkerResult(worker, copyOf(trainer.network().params()), copyOf(trainer.optimizer().state()),
                examples, steps, lossSum, seconds);
    }

    /** Bulk copy of a heap array into a contiguous float vector's off-heap memory (no temporary array). */
    static void copyInto(INDArray dst, float[] src) {
        if (dst.offset() != 0 || dst.length() != src.length || dst.dataType() != DataType.FLOAT) {
            dst.assign(Nd4j.createFromArray(src));
            return;
        }
        dst.data().asNioFloat().put(src);
    }

    /** A heap copy of a contiguous float vector. */
    static float[] copyOf(INDArray v) {
        if (v.offset() != 0 || v.dataType() != DataType.FLOAT) {
            return v.toFloatVector();
        }
        float[] out = new float[(int) v.length()];
        v.data().asNioFloat().get(out);
        return out;
    }

    /**
     * Test-only fault: the first attempt of every task of global round {@code failFirstAttemptOfRound} throws, after
     * it has already changed its cached trainer, so a retry shows whether the round depends only on the broadcast.
     */
    private void failIfInjected(TaskContext ctx, RoundTask t) {
        if (ctx != null && ctx.attemptNumber() == 0 && failFirstAttemptOfRound == t.globalRound()) {
            throw new IllegalStateException("injected failure in the first attempt of round " + failFirstAttemptOfRound);
        }
    }
}
