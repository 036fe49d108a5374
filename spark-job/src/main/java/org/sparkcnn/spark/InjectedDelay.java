package org.sparkcnn.spark;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;

/**
 * Test-only slowdown, set from a test as a Spark setting (so that it reaches executors in other JVMs):
 * {@code spark.cnn.test.slowTask=ROUND:WORKER:MILLIS} makes the first attempt of worker {@code WORKER}'s local-steps
 * task in global round {@code ROUND} wait {@code MILLIS} ms after its first step. Speculation tests use it to make a
 * copy of the task overtake it, timeout tests to make a round hang. The wait ends early, with the task killed, when
 * Spark interrupts the task.
 */
final class InjectedDelay {
    static final String KEY = "spark.cnn.test.slowTask";

    private InjectedDelay() { }

    /** Waits when {@code ctx}'s attempt is the one the setting names. */
    static void apply(TaskContext ctx, RoundTask t) {
        SparkEnv env = SparkEnv.get();
        String spec = ctx == null || env == null ? "" : env.conf().get(KEY, "");
        if (spec.isEmpty() || ctx.attemptNumber() != 0) {
            return;
        }
        String[] f = spec.split(":");
        if (Integer.parseInt(f[0]) != t.globalRound() || Integer.parseInt(f[1]) != ctx.partitionId()) {
            return;
        }
        long until = System.nanoTime() + Long.parseLong(f[2]) * 1_000_000;
        try {
            while (System.nanoTime() < until) {
                LocalSgd.stopIfInterrupted(ctx);
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            LocalSgd.stopIfInterrupted(ctx);                  // killed: ends with Spark's reason
            throw new TaskKilledException("interrupted in an injected delay");
        }
    }
}
