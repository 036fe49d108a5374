package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.sparkcnn.spark.exchange.SliceBlocks;
import org.sparkcnn.spark.exchange.Traffic;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;

/**
 * Brings the model to the driver (for a checkpoint, an evaluation or the result): task k returns averaged slice k
 * and, when the optimizer state is kept per worker, worker k's state.
 */
final class SliceCollector extends AbstractFunction2<TaskContext, Iterator<Integer>, float[][]>
        implements Serializable {
    private final int averaged;
    private final int states;

    SliceCollector(int averaged, int states) {
        this.averaged = averaged;
        this.states = states;
    }

    @Override
    public float[][] apply(TaskContext ctx, Iterator<Integer> ignored) {
        int k = ctx.partitionId();
        Traffic traffic = new Traffic();
        float[] slice = SliceBlocks.get(averaged, k, "averaged slice " + k, traffic);
        return states < 0 ? new float[][]{slice}
                : new float[][]{slice, SliceBlocks.get(states, k, "optimizer state of worker " + k, traffic)};
    }
}
