package org.sparkcnn.core;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Loads the OpenBLAS that ND4J computes with, and nothing else: run with {@code OPENBLAS_VERBOSE=2}, OpenBLAS then
 * prints the kernel it picked for this CPU ({@code Core: Haswell}). The launchers run it once per machine to catch
 * OpenBLAS 0.3.19 falling back to an old generic kernel on a CPU it does not know (scripts/lib/spark-env.sh,
 * {@code openblas_coretype}); {@link #describe} runs it once per JVM to record the kernel with a run.
 */
public final class BlasKernel {
    private static volatile String described;
    private static CompletableFuture<String> kernel;

    private BlasKernel() { }

    public static void main(String[] args) {
        Loader.load(openblas_nolapack.class);
    }

    /**
     * The BLAS this JVM's ND4J computes with, e.g. {@code OPENBLAS 0.3.19, kernel SkylakeX, oneDNN}: ND4J's BLAS vendor, the
     * OpenBLAS version of the binding, and the kernel OpenBLAS picks in a JVM started with this JVM's environment
     * ({@code OPENBLAS_CORETYPE} included) on this CPU — the choice OpenBLAS made here, since it makes it from the
     * same two once, when it loads; then {@code , oneDNN} when ND4J's oneDNN build is the one loaded ({@link OneDnn}),
     * whose kernels give other float roundings. The kernel is read from a child JVM ({@link #main} with
     * {@code OPENBLAS_VERBOSE=2}, about a second), once per JVM; {@code kernel unknown} when that fails.
     */
    public static String describe() {
        String d = described;
        if (d == null) {
            synchronized (BlasKernel.class) {
                if (described == null) {
                    described = Nd4j.factory().blas().getBlasVendor() + " "
                            + openblas_nolapack.OPENBLAS_VERSION.trim().replace("OpenBLAS ", "") + ", kernel "
                            + kernelProbe().join() + (OneDnn.loaded() ? ", oneDNN" : "");
                }
                d = described;
            }
        }
        return d;
    }

    /**
     * Starts reading the kernel ({@link #describe}'s child JVM) on a daemon thread, so that a caller with other
     * start-up work (a Spark session to create) does not wait for it later.
     */
    public static void probeInBackground() {
        kernelProbe();
    }

    private static synchronized CompletableFuture<String> kernelProbe() {
        if (kernel == null) {
            CompletableFuture<String> probe = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    probe.complete(kernel());
                } catch (RuntimeException e) {
                    probe.complete("unknown");
                }
            }, "blas-kernel-probe");
            t.setDaemon(true);
            t.start();
            kernel = probe;
        }
        return kernel;
    }

    private static String kernel() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", classPath(), BlasKernel.class.getName())
                .redirectErrorStream(true);
        pb.environment().put("OPENBLAS_VERBOSE", "2");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(64 * 1024);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("Core:")) {
                    return line.substring(5).trim();
                }
            }
            return "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** This JVM's class path and the jars of this class, JavaCPP and the OpenBLAS binding (an executor's app jar). */
    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {BlasKernel.class, Loader.class, openblas_nolapack.class}) {
            try {
                var source = c.getProtectionDomain().getCodeSource();
                if (source != null && source.getLocation() != null) {
                    entries.add(Path.of(source.getLocation().toURI()).toString());
                }
            } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
                // not a local file: the JVM's own class path has to do
            }
        }
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
