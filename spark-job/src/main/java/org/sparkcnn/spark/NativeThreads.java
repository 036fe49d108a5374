package org.sparkcnn.spark;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Caps ND4J's OpenMP and OpenBLAS threads at the task's cores ({@code spark.task.cpus}), so that N concurrent
 * tasks on N cores do not oversubscribe the machine (BLAS threads × task threads).
 */
public final class NativeThreads {
    private static volatile int configured = -1;

    private NativeThreads() { }

    public static synchronized void limit(int threads) {
        if (configured == threads) {
            return;
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        configured = threads;
    }
}
