package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;
import org.sparkcnn.core.data.ImageChunks;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.spark.data.ExampleChunk;
import org.sparkcnn.spark.exchange.ExchangePrecision;
import org.sparkcnn.spark.exchange.SliceBlocks;
import org.sparkcnn.spark.exchange.SliceLayout;
import org.sparkcnn.spark.exchange.Traffic;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A worker's round when the executors average: it starts from the previous round's averaged model (built once per
 * executor and round, {@link RoundStart}) or from the driver's broadcast after a (re)start, runs its local steps,
 * and leaves its vector — in bf16, its difference from the starting model — cut into K slices in its executor's
 * block manager, where averaging task k fetches slice k. Optimizer state
 * kept per worker stays in the block manager too, read back by the worker's next task. Only the report goes to
 * the driver.
 */
final class LocalSgdToBlocks extends AbstractFunction2<TaskContext, Iterator<ExampleChunk>, WorkerStats>
        implements Serializable {
    private final LocalSgd sgd;
    private final RoundTask task;
    private final ExchangeRound x;

    LocalSgdToBlocks(LocalSgd sgd, RoundTask task, ExchangeRound x) {
        this.sgd = sgd;
        this.task = task;
        this.x = x;
    }

    @Override
    public WorkerStats apply(TaskContext ctx, Iterator<ExampleChunk> chunks) {
        return run(ctx, sgd.shard(chunks), sgd.trainer(ctx));
    }

    /**
     * The round of worker {@code ctx.partitionId()} on its cached shard {@code shard}, with {@code trainer}, the
     * task's ({@link LocalSgd#trainer}, borrowed once per task: a task of several rounds keeps it).
     */
    WorkerStats run(TaskContext ctx, ImageChunks shard, LocalTrainer trainer) {
        int worker = ctx.partitionId();
        boolean averageState = sgd.plan().averageUpdater();
        Traffic traffic = new Traffic();
        SliceLayout layout = x.layout();
        int p = (int) trainer.network().params().length();
        float[] model = RoundStart.vector(sgd.runId(), x, traffic, task.globalRound());
        LocalSgd.copyInto(trainer.network().params(), model, 0);
        if (averageState) {
            LocalSgd.copyInto(trainer.optimizer().state(), model, p);
        } else {
            LocalSgd.copyInto(trainer.optimizer().state(), x.statesIn() < 0 ? x.origin().value().stateFor(worker)
                    : SliceBlocks.get(x.statesIn(), worker, "optimizer state of worker " + worker, traffic));
        }

        WorkerStats stats = sgd.run(ctx, shard, trainer, task, 0);

        FloatBuffer[] parts = fp32Parts(trainer, averageState, layout.length() - p);
        if (!averageState) {
            FloatBuffer state = LocalSgd.floats(trainer.optimizer().state());
            if (state != null) {
                SliceBlocks.putFp32(x.statesOut(), worker, new FloatBuffer[]{state}, 0, state.remaining());
            } else {
                SliceBlocks.put(x.statesOut(), worker, LocalSgd.copyOf(trainer.optimizer().state()));
            }
        }
        if (ctx.isInterrupted()) {                     // killed (a failed barrier round): store nothing
            throw new TaskKilledException("round " + (task.globalRound() + 1) + " of worker " + worker + " killed");
        }
        if (parts != null) {                           // fp32: each slice copied once, off-heap to block
            for (int k = 0; k < layout.slices(); k++) {
                SliceBlocks.putFp32(x.slicesOut(), worker * layout.slices() + k, parts, layout.from(k),
                        layout.from(k + 1));
            }
        } else {
            putFromHeap(trainer, averageState, p, model, worker);
        }
        return new WorkerStats(stats.worker(), stats.examples(), stats.steps(), stats.lossSum(),
                stats.computeSeconds(), traffic.remoteBytes());
    }

    /** The worker's slices through a heap copy of its vector: in bf16, its difference from {@code model}. */
    private void putFromHeap(LocalTrainer trainer, boolean averageState, int p, float[] model, int worker) {
        SliceLayout layout = x.layout();
        float[] v = new float[layout.length()];
        LocalSgd.copyOut(trainer.network().params(), v, 0);
        if (averageState) {
            LocalSgd.copyOut(trainer.optimizer().state(), v, p);
        }
        if (x.precision() == ExchangePrecision.BF16) {
            for (int i = 0; i < v.length; i++) {
                v[i] -= model[i];                      // the round's change, so bf16's error is relative to it
            }
        }
        for (int k = 0; k < layout.slices(); k++) {
            SliceBlocks.put(x.slicesOut(), worker * layout.slices() + k,
                    Arrays.copyOfRange(v, layout.from(k), layout.from(k + 1)), x.precision());
        }
    }

    /**
     * The worker's vector as buffers over the trainer's memory, when it goes out in fp32 and lies in contiguous
     * runs: the parameters, then the first {@code stateLength} values of the optimizer state when the state is
     * averaged too. Null otherwise (bf16 sends differences, computed on the heap).
     */
    private FloatBuffer[] fp32Parts(LocalTrainer trainer, boolean averageState, int stateLength) {
        if (x.precision() != ExchangePrecision.FP32) {
            return null;
        }
        FloatBuffer params = LocalSgd.floats(trainer.network().params());
        if (!averageState) {
            return params == null ? null : new FloatBuffer[]{params};
        }
        FloatBuffer state = LocalSgd.floats(trainer.optimizer().state());
        if (params == null || state == null || state.remaining() < stateLength) {
            return null;
        }
        return new FloatBuffer[]{params, state.slice(0, stateLength)};
    }
}
