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

    /** The most consecutive rounds {@link #rounds} runs as one Spark job (1: a job per round). */
    default int maxRoundsPerJob() {
        return 1;
    }

    /**
     * Runs the consecutive rounds {@code tasks} of one epoch, at most {@link #maxRoundsPerJob} of them: in each,
     * every worker's local steps on its shard, then the average, kept for the next round; the same bits as a job per
     * round. Returns their outcomes in order, and stops after a round in which a worker's loss became NaN or
     * infinite. Only the last round's model can be {@link #collect}ed.
     */
    List<Outcome> rounds(Shards shards, List<RoundTask> tasks, String label);

    /** The model after the last round, on the driver. */
    ModelVectors collect();

    /** Whether a round that failed with {@code failure} can be replayed from the driver's last model. */
    boolean canReplay(Throwable failure);

    @Override
    void close();
}
