package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.sparkcnn.spark.exchange.SliceBlocks;
import org.sparkcnn.spark.exchange.SliceLayout;
import org.sparkcnn.spark.exchange.Traffic;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;

/**
 * Averaging task k of a round on the executors: fetches slice k of every worker's vector, sums them weighted, in
 * worker order, and leaves the averaged slice k in its executor's block manager for the next round's workers.
 * Returns the bytes it fetched from other executors.
 */
final class SliceAverager extends AbstractFunction2<TaskContext, Iterator<Integer>, Long> implements Serializable {
    private final int slicesIn;
    private final int averagedOut;
    private final SliceLayout layout;
    private final double[] weights;
    private final int globalRound;
    private final int failFirstAttemptOfRound;

    SliceAverager(int slicesIn, int averagedOut, SliceLayout layout, double[] weights, int globalRound,
                  int failFirstAttemptOfRound) {
        this.slicesIn = slicesIn;
        this.averagedOut = averagedOut;
        this.layout = layout;
        this.weights = weights;
        this.globalRound = globalRound;
        this.failFirstAttemptOfRound = failFirstAttemptOfRound;
    }

    @Override
    public Long apply(TaskContext ctx, Iterator<Integer> ignored) {
        int k = ctx.partitionId();
        Traffic traffic = new Traffic();
        double[] sum = new double[layout.size(k)];
        int[] blocks = new int[weights.length];
        for (int w = 0; w < weights.length; w++) {
            blocks[w] = w * layout.slices() + k;
        }
        SliceBlocks.forEach(slicesIn, blocks, w -> "slice " + k + " of worker " + w + " in round " + (globalRound + 1),
                traffic, (w, slice) -> WeightedMean.accumulate(sum, weights[w], slice));
        if (ctx.attemptNumber() == 0 && failFirstAttemptOfRound == globalRound) {
            throw new IllegalStateException("injected failure in the first attempt of averaging round "
                    + failFirstAttemptOfRound);
        }
        SliceBlocks.put(averagedOut, k, WeightedMean.toFloats(sum));
        return traffic.remoteBytes();
    }
}
