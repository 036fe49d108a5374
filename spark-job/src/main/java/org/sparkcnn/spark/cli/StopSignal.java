package org.sparkcnn.spark.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.sparkcnn.spark.io.Redaction;
import sun.misc.Signal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * SIGTERM and SIGINT (a cluster manager stopping the run, Ctrl-C) end a command in order. Left to the JVM, the
 * signal runs Spark's shutdown hook, which stops the SparkContext under the running job: the job's failure read as
 * an internal error, and Spark's threads printed stack traces. Instead the handler records the signal and cancels
 * the command's Spark jobs, interrupting their tasks (and any job that starts later); the command unwinds through
 * its own cleanup, and {@link Main} prints one line, with how to resume when there is a checkpoint, and exits with
 * 128 + the signal's number (143 for SIGTERM, 130 for SIGINT).
 *
 * <p>A command with no Spark context attached ({@code predict}, or {@code train} before its session starts) exits
 * at once with that line; so does one still running {@value #GRACE_SECONDS} s after its jobs were cancelled, and
 * any command on a second signal. Every output file is written whole or not at all
 * ({@link org.sparkcnn.spark.io.Storage#write}), so an exit at any moment leaves no half-written file.
 */
final class StopSignal {
    /** How long a command may take to unwind after its jobs were cancelled before the JVM exits anyway. */
    static final int GRACE_SECONDS = 10;
    private static final String INTERRUPT = "spark.job.interruptOnCancel";

    private static final AtomicReference<Signal> RECEIVED = new AtomicReference<>();
    private static final AtomicBoolean TOLD = new AtomicBoolean();
    /** The running command's Spark context, while it is attached, and whether Spark's logging is kept quiet. */
    private static volatile Running running;
    /** What the stop line adds for the last attached command; it stays after the command unwound. */
    private static volatile Supplier<String> hint = () -> "";

    /** A running command's registration; closing it ends it. */
    interface Attached extends AutoCloseable {
        @Override
        void close();
    }

    private record Running(SparkContext sc, boolean quiet) { }

    private StopSignal() { }

    /** Handles SIGTERM and SIGINT in this JVM from now on (the command line's {@code main} only). */
    static void install() {
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), StopSignal::stop);
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal (-Xrs) or the platform has none: its default shutdown stays
            }
        }
    }

    /**
     * Lets a stop cancel {@code sc}'s jobs until the returned registration closes. Call on the thread that submits
     * the jobs: its jobs then interrupt their tasks when cancelled. {@code hint} completes the stop line (empty:
     * nothing to add), e.g. how to resume. Unless {@code verbose}, Spark logs only errors once a stop arrived (not
     * one warning per cancelled task).
     */
    static Attached attach(JavaSparkContext sc, boolean verbose, Supplier<String> hint) {
        String interrupt = sc.getLocalProperty(INTERRUPT);
        sc.setLocalProperty(INTERRUPT, "true");
        AtomicInteger tasks = new AtomicInteger();
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                if (RECEIVED.get() != null) {
                    sc.sc().cancelJob(start.jobId());
                }
            }

            @Override
            public void onTaskStart(SparkListenerTaskStart start) {
                tasks.incrementAndGet();
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                tasks.decrementAndGet();
            }
        };
        sc.sc().addSparkListener(listener);
        StopSignal.hint = hint;
        running = new Running(sc.sc(), !verbose);
        return () -> {
            running = null;
            if (RECEIVED.get() != null) {
                awaitTasks(tasks);
            }
            if (!sc.sc().isStopped()) {
                sc.sc().removeSparkListener(listener);
                sc.setLocalProperty(INTERRUPT, interrupt);
            }
        };
    }

    /**
     * Waits until the cancelled jobs' tasks have ended, so that the context stops with none running: a task that
     * reports its end to a stopping context makes Spark print a RejectedExecutionException.
     */
    private static void awaitTasks(AtomicInteger tasks) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
        while (tasks.get() > 0 && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** True once a stop signal arrived. */
    static boolean received() {
        return RECEIVED.get() != null;
    }

    /** Prints the stop line (once, whoever asks first) and returns the exit code, 128 + the signal's number. */
    static int tell() {
        Signal s = RECEIVED.get();
        if (TOLD.compareAndSet(false, true)) {
            String more = "";
            try {
                more = hint.get();
            } catch (RuntimeException e) {
                // the hint is a courtesy: the stop line goes out without it
            }
            System.err.println(Redaction.text("spark-cnn: stopped by SIG" + s.getName()
                    + (more.isEmpty() ? "" : "; " + more)));
            System.err.flush();
        }
        return 128 + s.getNumber();
    }

    private static void stop(Signal s) {
        if (!RECEIVED.compareAndSet(null, s)) {
            System.exit(tell());                                    // a second signal: now, through the JVM's shutdown
        }
        Running r = running;
        if (r == null) {
            System.exit(tell());
        }
        if (r.quiet()) {
            Configurator.setLevel("org.apache.spark", Level.ERROR);
        }
        r.sc().cancelAllJobs();
        Thread grace = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(GRACE_SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            System.exit(tell());
        }, "spark-cnn stop");
        grace.setDaemon(true);
        grace.start();
    }
}
