package org.sparkcnn.spark;

import java.io.Serializable;

/**
 * What the driver broadcasts for one round: the current parameters, the optimizer state (one averaged vector, or
 * one per worker), and where in the data order the round starts.
 *
 * @param epoch      the epoch (selects the data permutation)
 * @param globalRound rounds completed before this one, over all epochs
 * @param round      the round within the epoch: worker w runs its batches [round·τ, (round+1)·τ)
 * @param tau        τ for this round
 * @param iteration  global iteration of the round's first step (for learning-rate schedules and Adam)
 * @param params     the flat parameter vector
 * @param states     optimizer state: states[0] shared by all workers, or states[w] per worker
 */
public record RoundTask(int globalRound, int epoch, int round, int tau, long iteration, float[] params, float[][] states)
        implements Serializable {

    float[] stateFor(int worker) {
        return states.length == 1 ? states[0] : states[worker];
    }
}
