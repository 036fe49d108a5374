package org.sparkcnn.spark;

import org.sparkcnn.spark.data.Shards;

/**
 * Where a round's vectors are averaged: on the driver ({@link DriverAveraging}) or on the executors
 * ({@link ExecutorAveraging}). Both give the same bits; they differ in what passes through the driver.
 */
interface Averaging extends AutoCloseable {

    /** The outcome of a round: the workers' reports in worker order, and the averaging's own cost. */
    record Outcome(WorkerStats[] stats, double averagingSeconds, long exchangeBytes) { }

    /** Starts (again) from a model the driver holds. */
    void restart(ModelVectors start);

    /** Runs round {@code t}: every worker's local steps on its shard, then the average, kept for the next round. */
    Outcome round(Shards shards, RoundTask t, String label);

    /** The model after the last round, on the driver. */
    ModelVectors collect();

    /** Whether a round that failed with {@code failure} can be replayed from the driver's last model. */
    boolean canReplay(Throwable failure);

    @Override
    void close();
}
