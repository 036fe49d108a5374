package org.sparkcnn.core;

import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * ND4J's native library built with oneDNN (nd4j-native's {@code <platform>-onednn} jar, a dependency of core on
 * linux-x86_64), whose convolutions and GEMMs are oneDNN primitives JIT-compiled for the CPU they run on. JavaCPP
 * loads it whenever that jar is on the class path: ND4J's preset lists {@code -onednn} first among the builds it
 * looks for. Without it (another platform, or a class path without the jar) the plain build loads, {@link #loaded}
 * is false, and the layers use their own kernels, with the same results up to float rounding.
 */
public final class OneDnn {
    private static volatile Boolean loaded;

    private OneDnn() { }

    /** Whether the ND4J native library this JVM computes with is the oneDNN build (loads ND4J if it has not). */
    public static boolean loaded() {
        Boolean l = loaded;
        if (l == null) {
            Nd4j.getBackend();
            String path = Loader.getLoadedLibraries().get("nd4jcpu");
            l = path != null && path.contains("-onednn");
            loaded = l;
        }
        return l;
    }

    /**
     * Caps the OpenMP threads of the native calls made on the calling thread. OpenMP keeps this count per thread,
     * and ND4J's own thread limit does not set it: oneDNN's primitives (convolutions, and the GEMMs of the oneDNN
     * build) otherwise take every core for each call, oversubscribing a trainer whose own threads already use one
     * core each.
     */
    public static void threadsOnThisThread(int threads) {
        Nd4j.getBackend();     // loads ND4J first: its native ops cannot initialize before the backend has
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    }
}
