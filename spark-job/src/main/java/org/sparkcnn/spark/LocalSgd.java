package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageChunks;
import org.sparkcnn.core.optim.StepTime;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.core.train.Seeds;
import org.sparkcnn.spark.data.ExampleChunk;
import org.sparkcnn.spark.data.Shards;
import scala.collection.Iterator;

import java.io.Serializable;
import java.nio.FloatBuffer;

/**
 * The executor side of a round, whichever way the vectors travel: worker w (the task of partition w of the cached
 * shards) runs its next τ local SGD steps on its shard, in this epoch's permutation of the shard, with its cached
 * trainer, whose parameters and optimizer state the caller has just overwritten. The result is a deterministic
 * function of those vectors, the shard and the round, so a retried task returns the same result.
 * A loss that becomes NaN or infinite ends the worker's round early with a NaN loss sum, which the driver reports.
 * A killed task (job cancelled, another attempt done) stops at the next step.
 */
final class LocalSgd implements Serializable {
    private final String runId;
    private final TrainingPlan plan;
    private final Shape shape;
    private final int failFirstAttemptOfRound;

    LocalSgd(String runId, TrainingPlan plan, Shape shape, int failFirstAttemptOfRound) {
        this.runId = runId;
        this.plan = plan;
        this.shape = shape;
        this.failFirstAttemptOfRound = failFirstAttemptOfRound;
    }

    TrainingPlan plan() {
        return plan;
    }

    String runId() {
        return runId;
    }

    /** A trainer for this task, from the executor's pool for the run (returned when the task ends). */
    LocalTrainer trainer(TaskContext ctx) {
        // A task of k cores splits each minibatch over k threads, each calling single-threaded BLAS.
        int cores = Math.max(1, ctx.cpus());
        NativeThreads.limit(1);
        return WorkerCache.borrow(runId, plan, cores, ctx);
    }

    /** Worker {@code ctx.partitionId()}'s cached shard, as the chunks of a task's partition. */
    ImageChunks shard(Iterator<ExampleChunk> chunks) {
        return Shards.view(shape, chunks);
    }

    /** Runs round {@code t} of worker {@code ctx.partitionId()} on its cached shard {@code d} ({@link #shard}). */
    WorkerStats run(TaskContext ctx, ImageChunks d, LocalTrainer trainer, RoundTask t, long remoteBytes) {
        int worker = ctx.partitionId();
        int size = d.size();
        int batches = DataOrder.batches(size, plan.batchSize());
        int[] order = WorkerCache.order(runId, worker, t.epoch(),
                () -> DataOrder.shardPermutation(size, plan.seed(), t.epoch(), worker));
        long began = System.nanoTime();
        long examples = 0;
        double lossSum = 0;
        int steps = 0;
        for (int b = t.round() * t.tau(); b < Math.min(batches, (t.round() + 1) * t.tau()); b++) {
            stopIfInterrupted(ctx);                                 // killed: a speculative copy won, or a timeout
            int from = b * plan.batchSize();
            int count = Math.min(plan.batchSize(), size - from);
            double loss;
            try {
                loss = trainer.step(d, order, from, count, StepTime.of(t.iteration() + steps, t.epoch(), b, batches),
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
            if (steps == 1) {
                InjectedDelay.apply(ctx, t);
            }
        }
        if (steps == 0) {
            failIfInjected(ctx, t);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        return new WorkerStats(worker, examples, steps, lossSum, seconds, remoteBytes);
    }

    /**
     * Ends the task when Spark has killed it (a job cancelled, a speculative copy that finished first): checked between
     * local steps, so a killed attempt stops within one step instead of running its round to the end. Spark marks the
     * context before it interrupts the thread; the thread's own flag is not read, since a pooled task thread may
     * carry one left over from an earlier task. The task ends as Spark's own iterators end a killed task, with a
     * {@code TaskKilledException} that carries Spark's reason.
     */
    static void stopIfInterrupted(TaskContext ctx) {
        if (ctx != null && ctx.isInterrupted()) {
            ctx.killTaskIfInterrupted();
        }
    }

    /** Bulk copy of {@code src[from, from + dst.length)} into a contiguous float vector's off-heap memory. */
    static void copyInto(INDArray dst, float[] src, int from) {
        int length = (int) dst.length();
        if (dst.offset() != 0 || dst.dataType() != DataType.FLOAT) {
            dst.assign(Nd4j.createFromArray(java.util.Arrays.copyOfRange(src, from, from + length)));
            return;
        }
        dst.data().asNioFloat().put(src, from, length);
    }

    /** Bulk copy of a whole heap array into a contiguous float vector of the same length. */
    static void copyInto(INDArray dst, float[] src) {
        if (dst.length() != src.length) {
            throw new IllegalArgumentException("vector of " + src.length + " floats for " + dst.length());
        }
        copyInto(dst, src, 0);
    }

    /** Copies a contiguous float vector into {@code out[at, at + v.length)}. */
    static void copyOut(INDArray v, float[] out, int at) {
        if (v.offset() != 0 || v.dataType() != DataType.FLOAT) {
            float[] f = v.toFloatVector();
            System.arraycopy(f, 0, out, at, f.length);
            return;
        }
        v.data().asNioFloat().get(out, at, (int) v.length());
    }

    /**
     * The values of float vector {@code v} as a buffer over its memory (positioned at its first value, limited after
     * its last), or null when they are not one contiguous run of floats.
     */
    static FloatBuffer floats(INDArray v) {
        if (v.dataType() != DataType.FLOAT || v.offset() != 0 || v.data().offset() != 0
                || v.length() > v.data().length() || (v.length() > 1 && v.elementWiseStride() != 1)) {
            return null;
        }
        return v.data().asNioFloat().slice(0, (int) v.length());
    }

    /** A heap copy of a contiguous float vector. */
    static float[] copyOf(INDArray v) {
        float[] out = new float[(int) v.length()];
        copyOut(v, out, 0);
        return out;
    }

    /**
     * Test-only fault: the first attempt of every task of global round {@code failFirstAttemptOfRound} throws, after
     * it has already changed its cached trainer, so a retry shows whether the round depends only on its inputs.
     */
    void failIfInjected(TaskContext ctx, RoundTask t) {
        if (ctx != null && ctx.attemptNumber() == 0 && failFirstAttemptOfRound == t.globalRound()) {
            throw new IllegalStateException("injected failure in the first attempt of round " + failFirstAttemptOfRound);
        }
    }
}
