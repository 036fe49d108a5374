package org.sparkcnn.spark;

import java.io.Serializable;

/**
 * What a worker returns to the driver when the driver averages: its reports and its vectors.
 *
 * @param rounds the worker's report of each round its task ran, in order (one, unless the job ran several rounds
 *               of a single worker: {@link DriverAveraging#maxRoundsPerJob})
 * @param params its parameters after its local steps
 * @param state  its optimizer state after them
 */
public record WorkerResult(WorkerStats[] rounds, float[] params, float[] state) implements Serializable {
}
