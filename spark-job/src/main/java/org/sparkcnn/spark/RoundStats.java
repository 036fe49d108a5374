package org.sparkcnn.spark;

/**
 * Metrics of one round, as logged and written to rounds.csv ({@link org.sparkcnn.spark.io.RoundsCsv}). Times are the driver's wall clock and the workers'
 * own compute timers; no network time service is involved.
 *
 * @param round           global round number (0-based)
 * @param epoch           epoch of the round
 * @param examples        examples processed by all workers in the round
 * @param trainLoss       example-weighted mean minibatch loss of the round
 * @param computeSeconds  the slowest worker's forward/backward/update time
 * @param overheadSeconds the rest of the round's wall time: scheduling, broadcast, result transfer, averaging
 * @param wallSeconds     the round's wall time on the driver
 * @param aggregateSeconds the averaging of the workers' vectors, on the driver or as the executors' averaging job (a
 *                         part of {@code overheadSeconds})
 * @param exchangeBytes   bytes the executors fetched from each other's block managers for the exchange (0 when the
 *                         driver averages)
 */
public record RoundStats(int round, int epoch, long examples, double trainLoss, double computeSeconds,
                         double overheadSeconds, double wallSeconds, double aggregateSeconds, long exchangeBytes) {

    public double imagesPerSecond() {
        return wallSeconds > 0 ? examples / wallSeconds : 0;
    }
}
