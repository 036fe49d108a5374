package org.sparkcnn.spark;

import java.io.Serializable;

/**
 * Where in the data order a round starts: shipped with every task of the round (a few bytes).
 *
 * @param globalRound rounds completed before this one, over all epochs
 * @param epoch       the epoch (selects the data permutation)
 * @param round       the round within the epoch: worker w runs its batches [round·τ, (round+1)·τ)
 * @param tau         τ for this round
 * @param iteration   global iteration of the round's first step (for learning-rate schedules and Adam)
 * @param steps       local steps of the round's largest shard (at most τ; fewer at the epoch's end): the
 *                    iterations the round advances
 */
public record RoundTask(int globalRound, int epoch, int round, int tau, long iteration, int steps)
        implements Serializable {
}
