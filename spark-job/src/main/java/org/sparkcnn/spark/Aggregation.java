package org.sparkcnn.spark;

import java.util.Locale;

/** Where the workers' vectors are averaged every round ({@code --aggregation}). */
public enum Aggregation {
    /** On the driver: every worker's vectors reach it every round (the reference path). */
    DRIVER,
    /** On the executors, through Spark's block manager: the driver receives a few bytes per worker. */
    EXECUTORS,
    /**
     * With two workers or more, {@link #EXECUTORS} when rounds can run as barrier jobs (then many rounds share one
     * job: {@link ExecutorAveraging#maxRoundsPerJob}), or when the workers would send the driver
     * {@value #AUTO_MIN_FLOATS} floats or more per round in all (N·(P+S)); {@link #DRIVER} otherwise.
     */
    AUTO;

    /**
     * Where the executor path's second job per round starts to pay for itself: in the runs of
     * scripts/exchange-bench.sh on the development machine (docs/scaling.md), with no network between driver and
     * executors, the driver path was faster at N·(P+S) = 1.7M floats (lenet, 2 workers) and slower at 13M
     * (tf-mnist, 2 workers). A real network only moves the crossover lower (the driver path's bytes all cross the
     * driver's link).
     */
    public static final long AUTO_MIN_FLOATS = 4_000_000;

    public static Aggregation parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown aggregation '" + s + "': use driver, executors or auto");
        }
    }

    /**
     * The path taken for {@code workers} workers that each exchange {@code floatsPerWorker} floats (parameters, plus
     * optimizer state when it is averaged), where rounds can ({@code barrierRounds}) or cannot run as barrier jobs:
     * this, with {@link #AUTO} decided.
     */
    public Aggregation resolve(int workers, long floatsPerWorker, boolean barrierRounds) {
        if (this != AUTO) {
            return this;
        }
        return workers >= 2 && (barrierRounds || workers * floatsPerWorker >= AUTO_MIN_FLOATS) ? EXECUTORS : DRIVER;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
