package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;

import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds a round's time: the round's Spark jobs run in a job group of their own, with interrupt-on-cancel, and a
 * timer cancels the group when the round has run {@code timeoutSeconds}. Spark then interrupts the round's tasks
 * (which stop at their next local step) and the round fails with a {@link RoundTimeoutException} naming it. With a
 * timeout of 0 a round runs as it is, in the caller's job group.
 */
final class RoundWatchdog implements AutoCloseable {
    private static final String GROUP = "spark.jobGroup.id";
    private static final String DESCRIPTION = "spark.job.description";
    private static final String INTERRUPT = "spark.job.interruptOnCancel";

    /** A round: one or more Spark jobs (a failed job is a SparkException, thrown unchecked by Scala). */
    @FunctionalInterface
    interface Round<T> {
        T run();
    }

    private final JavaSparkContext sc;
    private final long timeoutSeconds;
    private final ScheduledExecutorService timer;

    RoundWatchdog(JavaSparkContext sc, long timeoutSeconds) {
        this.sc = sc;
        this.timeoutSeconds = timeoutSeconds;
        this.timer = timeoutSeconds <= 0 ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spark-cnn round watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code round} (global round {@code globalRound}, described by {@code label}) within the timeout. */
    <T> T run(int globalRound, String label, Round<T> round) {
        if (timer == null) {
            return round.run();
        }
        String group = "spark-cnn-round-" + (globalRound + 1) + "-" + UUID.randomUUID();
        String[] saved = {sc.getLocalProperty(GROUP), sc.getLocalProperty(DESCRIPTION), sc.getLocalProperty(INTERRUPT)};
        AtomicBoolean expired = new AtomicBoolean();
        sc.setJobGroup(group, label, true);
        ScheduledFuture<?> alarm = timer.schedule(() -> {
            expired.set(true);
            sc.cancelJobGroup(group);
        }, timeoutSeconds, TimeUnit.SECONDS);
        try {
            return round.run();
        } catch (Exception e) {
            if (expired.get()) {                        // the cancellation, not the cause, is the story: no cause
                throw new RoundTimeoutException(String.format(Locale.ROOT, "round %d (%s) ran longer than the round "
                        + "timeout of %d s and was cancelled", globalRound + 1, label, timeoutSeconds));
            }
            throw e;
        } finally {
            alarm.cancel(false);
            sc.setLocalProperty(GROUP, saved[0]);
            sc.setLocalProperty(DESCRIPTION, saved[1]);
            sc.setLocalProperty(INTERRUPT, saved[2]);
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
