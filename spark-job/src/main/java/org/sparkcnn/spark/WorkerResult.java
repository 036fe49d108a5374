package org.sparkcnn.spark;

import java.io.Serializable;

/**
 * What a worker returns from a round.
 *
 * @param worker         the worker (shard) index
 * @param params         its parameters after its local steps
 * @param state          its optimizer state after them
 * @param examples       examples it processed (the weight of its parameters in the average)
 * @param steps          local steps it ran
 * @param lossSum        Σ over its steps of (minibatch mean loss × minibatch size)
 * @param computeSeconds time spent in forward, backward and update
 */
public record WorkerResult(int worker, float[] params, float[] state, long examples, int steps, double lossSum,
                           double computeSeconds) implements Serializable {
}
