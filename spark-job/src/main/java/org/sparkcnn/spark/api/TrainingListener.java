package org.sparkcnn.spark.api;

import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.spark.RoundStats;

import java.util.Optional;

/**
 * Hears a training run as it goes, on the driver thread that runs it. Every method has an empty default; a listener
 * that throws ends the run with that exception.
 */
public interface TrainingListener {
    /** Before the first round: the rounds the run will make in all and how many a resumed checkpoint already made. */
    default void onStart(RunStart start) { }

    /**
     * After every averaging round: its statistics, the global round count it ended at, and the training throughput
     * so far (images per second of training time, evaluation excluded).
     */
    default void onRound(RoundStats round, int globalRound, double imagesPerSecond) { }

    /** After every epoch (0-based), with the test-set metrics when the run evaluates every epoch. */
    default void onEpochEnd(int epoch, Optional<Metrics> test) { }

    /** After an evaluation every K rounds ({@link RunOptions#evalEveryRounds}). */
    default void onEvaluation(Evaluation evaluation) { }

    /**
     * What a run is about to do.
     *
     * @param totalRounds rounds the run ends at (after {@link TrainingConfig#maxRounds})
     * @param firstRound  rounds already made (by a resumed checkpoint), 0 for a fresh run
     * @param firstEpoch  the epoch (0-based) the run starts in
     * @param epochs      epochs in all
     * @param workers     the resolved number of workers
     * @param caveat      what no longer holds of the run's guarantees (a resume on other hardware), else empty
     */
    record RunStart(int totalRounds, int firstRound, int firstEpoch, int epochs, int workers,
                    java.util.Optional<String> caveat) { }

    /**
     * A test-set evaluation made during training.
     *
     * @param round        the global round it followed
     * @param epoch        the epoch (1-based) that round belongs to
     * @param examples     training examples seen so far
     * @param trainSeconds training time so far
     */
    record Evaluation(int round, int epoch, long examples, double trainSeconds, Metrics metrics) { }
}
