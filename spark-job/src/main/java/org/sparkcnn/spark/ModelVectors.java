package org.sparkcnn.spark;

import java.io.Serializable;

/**
 * The model as the workers start from it: the flat parameter vector and the optimizer state, one vector shared by
 * all workers (averaged) or one per worker.
 *
 * @param params the flat parameter vector
 * @param states optimizer state: states[0] shared by all workers, or states[w] per worker
 */
public record ModelVectors(float[] params, float[][] states) implements Serializable {

    /** The optimizer state worker {@code worker} starts from. */
    public float[] stateFor(int worker) {
        return states.length == 1 ? states[0] : states[worker];
    }
}
