package org.sparkcnn.spark;

import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.OneDnn;

/**
 * Caps ND4J's OpenMP and OpenBLAS threads at the task's cores ({@code spark.task.cpus}), so that N concurrent
 * tasks on N cores do not oversubscribe the machine (BLAS threads × task threads). OpenMP's count, which oneDNN's
 * primitives follow, is kept per thread, so it is set on every call, for the calling (task) thread.
 */
public final class NativeThreads {
    private static volatile int configured = -1;

    private NativeThreads() { }

    public static synchronized void limit(int threads) {
        OneDnn.threadsOnThisThread(threads);
        if (configured == threads) {
            return;
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        configured = threads;
    }
}
