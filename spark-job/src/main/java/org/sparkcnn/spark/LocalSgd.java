package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageChunks;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.core.train.Seeds;
import org.sparkcnn.spark.data.ExampleChunk;
import org.sparkcnn.spark.data.Shards;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;

/**
 * The executor side of a round: worker w (the task of partition w of the cached shards) loads the broadcast
 * parameters and optimizer state into its cached trainer and runs its next τ local SGD steps on its shard, in this
 * epoch's permutation of the shard. The result is a deterministic function of the broadcast, the shard and the
 * round, so a retried task returns the same result.
 * A loss that becomes NaN or infinite ends the worker's round early with a NaN loss sum, which the driver reports.
 */
final class LocalSgd extends AbstractFunction2<TaskContext, Iterator<ExampleChunk>, WorkerResult>
        implements Serializable {
    private final String runId;
    private final TrainingPlan plan;
    private final Shape shape;
    private final Broadcast<RoundTask> task;
    private final int failFirstAttemptOfRound;

    LocalSgd(String runId, TrainingPlan plan, Shape shape, Broadcast<RoundTask> task, int failFirstAttemptOfRound) {
        this.runId = runId;
        this.plan = plan;
        this.shape = shape;
        this.task = task;
        this.failFirstAttemptOfRound = failFirstAttemptOfRound;
    }

    /** Runs the round of worker {@code ctx.partitionId()} on the chunks of its cached shard. */
    @Override
    public WorkerResult apply(TaskContext ctx, Iterator<ExampleChunk> chunks) {
        int worker = ctx.partitionId();
        // A task of k cores splits each minibatch over k threads, each calling single-threaded BLAS.
        int cores = Math.max(1, ctx.cpus());
        NativeThreads.limit(1);
        RoundTask t = task.value();
        ImageChunks d = Shards.view(shape, chunks);
        LocalTrainer trainer = WorkerCache.trainer(runId, worker, plan, cores);
        copyInto(trainer.network().params(), t.params());
        copyInto(trainer.optimizer().state(), t.stateFor(worker));

        int size = d.size();
        int batches = DataOrder.batches(size, plan.batchSize());
        int[] order = WorkerCache.order(runId, worker, t.epoch(),
                () -> DataOrder.shardPermutation(size, plan.seed(), t.epoch(), worker));
        long began = System.nanoTime();
        long examples = 0;
        double lossSum = 0;
        int steps = 0;
        for (int b = t.round() * t.tau(); b < Math.min(batches, (t.round() + 1) * t.tau()); b++) {
            int from = b * plan.batchSize();
            int count = Math.min(plan.batchSize(), size - from);
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
