package org.sparkcnn.spark;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Timer;

/**
 * Spark 3.5's barrier tasks log their progress through a {@link Timer} that {@code BarrierTaskContext}'s companion
 * object creates on first use and never cancels, and {@code new Timer(name)} starts a thread that is not a daemon.
 * In local mode the tasks run in the driver's JVM, so after the first barrier round that JVM no longer ends when its
 * main method returns: a {@code MemoryProbe} child of {@code MemoryStabilityTest} trained its 10 epochs, returned
 * from main, and stayed up, with only "Barrier task timer for barrier() calls." (TimerThread.mainLoop) left among
 * its non-daemon threads, until it was killed at 300 s. Spark 4.0 made that thread a daemon (SPARK-46895). On 3.5
 * {@link #daemon} does the same from outside: it puts a daemon timer of the same name in the companion's field and
 * cancels the old one, once per JVM, before the first barrier job. Executors of a cluster end with
 * {@code System.exit}, so only local mode needs it.
 */
final class BarrierTimer {
    private static final Logger LOG = LoggerFactory.getLogger(BarrierTimer.class);
    private static final String COMPANION = "org.apache.spark.BarrierTaskContext$";
    private static Boolean daemon;

    private BarrierTimer() { }

    /**
     * Whether barrier tasks in this JVM leave only daemon threads behind: true on Spark 4 (no {@link Timer} in the
     * companion), true on Spark 3.5 once its timer is replaced, false if it could not be (then barrier rounds must
     * not run in this JVM).
     */
    static synchronized boolean daemon() {
        if (daemon == null) {
            daemon = replaceTimer();
        }
        return daemon;
    }

    private static boolean replaceTimer() {
        try {
            Class<?> companion = Class.forName(COMPANION);
            Object module = companion.getField("MODULE$").get(null);     // creates Spark's timer, if it has one
            for (Field f : companion.getDeclaredFields()) {
                if (f.getType() != Timer.class) {
                    continue;
                }
                if (Modifier.isStatic(f.getModifiers())) {
                    LOG.warn("Spark's barrier timer ({}) is a static field and cannot be made a daemon", f.getName());
                    return false;
                }
                f.setAccessible(true);
                Timer old = (Timer) f.get(module);
                f.set(module, new Timer("Barrier task timer for barrier() calls.", true));
                old.cancel();                                           // its thread ends
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Spark's barrier timer cannot be made a daemon ({})", e.toString());
            return false;
        }
    }
}
