package org.sparkcnn.spark;

import java.io.Serializable;

/**
 * What a worker reports of its round, besides its vectors.
 *
 * @param worker         the worker (shard) index
 * @param examples       examples it processed (the weight of its vectors in the average)
 * @param steps          local steps it ran
 * @param lossSum        Σ over its steps of (minibatch mean loss × minibatch size); NaN when it diverged
 * @param computeSeconds time spent in forward, backward and update
 * @param remoteBytes    bytes of exchange blocks it fetched from other executors (0 when the driver averages)
 */
public record WorkerStats(int worker, long examples, int steps, double lossSum, double computeSeconds,
                          long remoteBytes) implements Serializable {
}
