package org.sparkcnn.spark;

import java.io.Serializable;

/**
 * Where a run stands between rounds: the next round to run and the model as it is. A checkpoint is this plus
 * the resolved configuration; resuming from it continues exactly as the uninterrupted run would.
 *
 * @param epoch       epoch of the next round
 * @param round       round within that epoch
 * @param globalRound rounds completed so far
 * @param iteration   global iteration of the next round's first step
 * @param params      the flat parameter vector
 * @param states      optimizer state: one averaged vector or one per worker
 */
public record TrainingState(int epoch, int round, int globalRound, long iteration, float[] params, float[][] states)
        implements Serializable {

    /** The same position with other vectors. */
    public TrainingState with(ModelVectors v) {
        return new TrainingState(epoch, round, globalRound, iteration, v.params(), v.states());
    }

    public ModelVectors vectors() {
        return new ModelVectors(params, states);
    }
}
