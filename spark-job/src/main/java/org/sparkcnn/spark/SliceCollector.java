package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.sparkcnn.spark.exchange.SliceBlocks;
import org.sparkcnn.spark.exchange.Traffic;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;

/**
 * Brings the model to the driver (for a checkpoint, an evaluation or the result): task k of N returns averaged
 * slice k (an empty array when k ≥ K) and, when the optimizer state is kept per worker, worker k's state.
 */
final class SliceCollector extends AbstractFunction2<TaskContext, Iterator<Integer>, float[][]>
        implements Serializable {
    private final int averaged;
    private final int slices;
    private final int states;

    SliceCollector(int averaged, int slices, int states) {
        this.averaged = averaged;
        this.slices = slices;
        this.states = states;
    }

    @Override
    public float[][] apply(TaskContext ctx, Iterator<Integer> ignored) {
        int k = ctx.partitionId();
        Traffic traffic = new Traffic();
        float[] slice = k < slices ? SliceBlocks.get(averaged, k, "averaged slice " + k, traffic) : new float[0];
        return states < 0 ? new float[][]{slice}
                : new float[][]{slice, SliceBlocks.get(states, k, "optimizer state of worker " + k, traffic)};
    }
}
