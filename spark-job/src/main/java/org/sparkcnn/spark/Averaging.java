package org.sparkcnn.spark;

import org.sparkcnn.spark.data.Shards;

import java.util.List;

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

    /** The most consecutive rounds {@link #rounds} runs as one Spark job (1: a job per round). */
    default int maxRoundsPerJob() {
        return 1;
    }

    /**
     * Runs the consecutive rounds {@code tasks} of one epoch, at most {@link #maxRoundsPerJob} of them, with the same
     * bits as one {@link #round} after another; returns their outcomes in order, and stops after a round in which a
     * worker's loss became NaN or infinite. Only the last round's model can be {@link #collect}ed.
     */
    default List<Outcome> rounds(Shards shards, List<RoundTask> tasks, String label) {
        if (tasks.size() != 1) {
            throw new IllegalArgumentException(tasks.size() + " rounds in one job; this path runs one");
        }
        return List.of(round(shards, tasks.get(0), label));
    }

    /** The model after the last round, on the driver. */
    ModelVectors collect();

    /** Whether a round that failed with {@code failure} can be replayed from the driver's last model. */
    boolean canReplay(Throwable failure);

    @Override
    void close();
}
