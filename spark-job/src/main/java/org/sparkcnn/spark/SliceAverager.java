package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.sparkcnn.spark.exchange.ExchangePrecision;
import org.sparkcnn.spark.exchange.SliceBlocks;
import org.sparkcnn.spark.exchange.SliceLayout;
import org.sparkcnn.spark.exchange.Traffic;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;
import java.util.function.IntFunction;

/**
 * Averaging task k of a round on the executors: fetches slice k of every worker's vector, sums them weighted, in
 * worker order, and leaves the averaged slice k in its executor's block manager for the next round's workers.
 * In bf16 the workers' slices are their differences from the round's starting model s: the task sums them into
 * the mean difference d, stores d in bf16 for executors that hold s, and stores the model s + d (d as rounded,
 * added in float) in fp32 for the others and the driver. Returns the bytes it fetched from other executors.
 */
final class SliceAverager extends AbstractFunction2<TaskContext, Iterator<Integer>, Long> implements Serializable {
    private final String runId;
    private final ExchangeRound x;
    private final double[] weights;
    private final int globalRound;
    private final int failFirstAttemptOfRound;

    SliceAverager(String runId, ExchangeRound x, double[] weights, int globalRound, int failFirstAttemptOfRound) {
        this.runId = runId;
        this.x = x;
        this.weights = weights;
        this.globalRound = globalRound;
        this.failFirstAttemptOfRound = failFirstAttemptOfRound;
    }

    @Override
    public Long apply(TaskContext ctx, Iterator<Integer> ignored) {
        return average(ctx.partitionId(), ctx.attemptNumber());
    }

    /**
     * Averages slice {@code k} and stores it; returns the bytes fetched from other executors. {@code attempt} is the
     * task's attempt number (the test-only fault fails attempt 0).
     */
    long average(int k, int attempt) {
        SliceLayout layout = x.layout();
        Traffic traffic = new Traffic();
        WeightedMean mean = new WeightedMean(weights, layout.size(k));
        int[] blocks = new int[weights.length];
        for (int w = 0; w < weights.length; w++) {
            blocks[w] = w * layout.slices() + k;
        }
        IntFunction<String> what = w -> "slice " + k + " of worker " + w + " in round " + (globalRound + 1);
        if (x.precision() == ExchangePrecision.FP32 && weights.length <= SliceBlocks.FETCHES_IN_FLIGHT) {
            SliceBlocks.withAllFp32(x.slicesOut(), blocks, what, traffic, all -> {   // one pass, in place, no copies
                failIfInjected(attempt);
                SliceBlocks.putFp32(x.averagedOut(), k, layout.size(k), out -> mean.writeMeanOf(all, out));
            });
        } else if (x.precision() == ExchangePrecision.FP32) {
            SliceBlocks.forEachFp32(x.slicesOut(), blocks, what, traffic, mean::add);
            failIfInjected(attempt);
            SliceBlocks.putFp32(x.averagedOut(), k, layout.size(k), mean::writeTo);
        } else {
            SliceBlocks.forEach(x.slicesOut(), blocks, x.precision(), what, traffic, mean::add);
            failIfInjected(attempt);
            float[] delta = mean.floats();
            SliceBlocks.put(x.deltasOut(), k, delta, ExchangePrecision.BF16);
            SliceBlocks.put(x.averagedOut(), k, RoundStart.plus(startSlice(k, traffic), delta));
        }
        return traffic.remoteBytes();
    }

    private void failIfInjected(int attempt) {
        if (attempt == 0 && failFirstAttemptOfRound == globalRound) {
            throw new IllegalStateException("injected failure in the first attempt of averaging round "
                    + failFirstAttemptOfRound);
        }
    }

    /** Slice k of the round's starting model: from this executor's copy when it has one. */
    private float[] startSlice(int k, Traffic traffic) {
        float[] held = WorkerCache.peek(runId, x.startId());
        if (held != null) {
            return java.util.Arrays.copyOfRange(held, x.layout().from(k), x.layout().from(k + 1));
        }
        return x.averagedIn() < 0 ? x.originSlice(k) : SliceBlocks.get(x.averagedIn(), k,
                "averaged slice " + k + " of round " + globalRound, traffic);
    }
}
