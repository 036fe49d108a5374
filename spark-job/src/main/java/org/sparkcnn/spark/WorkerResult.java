package org.sparkcnn.spark;

import java.io.Serializable;

/**
 * What a worker returns to the driver when the driver averages: its report and its vectors.
 *
 * @param stats  the worker's report of the round
 * @param params its parameters after its local steps
 * @param state  its optimizer state after them
 */
public record WorkerResult(WorkerStats stats, float[] params, float[] state) implements Serializable {
}
