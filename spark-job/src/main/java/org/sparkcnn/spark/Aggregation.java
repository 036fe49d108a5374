package org.sparkcnn.spark;

import java.util.Locale;

/** Where the workers' vectors are averaged every round ({@code --aggregation}). */
public enum Aggregation {
    /** On the driver: every worker's vectors reach it every round (the reference path). */
    DRIVER,
    /** On the executors, through Spark's block manager: the driver receives a few bytes per worker. */
    EXECUTORS,
    /** {@link #EXECUTORS} from {@value #AUTO_MIN_WORKERS} workers on, {@link #DRIVER} below. */
    AUTO;

    /**
     * Below this many workers the driver path's round overhead is lower on the machine measured (see
     * docs/scaling.md); from it on, the executor path's flat driver traffic wins.
     */
    public static final int AUTO_MIN_WORKERS = 4;

    public static Aggregation parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown aggregation '" + s + "': use driver, executors or auto");
        }
    }

    /** The path taken for {@code workers} workers: this, with {@link #AUTO} decided. */
    public Aggregation resolve(int workers) {
        if (this != AUTO) {
            return this;
        }
        return workers >= AUTO_MIN_WORKERS ? EXECUTORS : DRIVER;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
