package org.sparkcnn.core;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Loads the OpenBLAS that ND4J computes with, and nothing else: run with {@code OPENBLAS_VERBOSE=2}, OpenBLAS then
 * prints the kernel it picked for this CPU ({@code Core: Haswell}). The launchers run it once per machine to catch
 * OpenBLAS 0.3.19 falling back to an old generic kernel on a CPU it does not know (scripts/lib/spark-env.sh,
 * {@code openblas_coretype}).
 */
public final class BlasKernel {
    private BlasKernel() { }

    public static void main(String[] args) {
        Loader.load(openblas_nolapack.class);
    }
}
