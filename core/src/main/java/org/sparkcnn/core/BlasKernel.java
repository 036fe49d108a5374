package org.sparkcnn.core;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Loads the OpenBLAS that ND4J computes with, and nothing else: run with {@code OPENBLAS_VERBOSE=2}, OpenBLAS then
 * prints the kernel it picked for this CPU ({@code Core: Haswell}). The launchers run it once per machine to catch
 * OpenBLAS 0.3.19 falling back to an old generic kernel on a CPU it does not know (scripts/lib/spark-env.sh,
 * {@code openblas_coretype}); {@link #describe} asks it once per machine and setting (a cache file) to record the
 * kernel with a run.
 */
public final class BlasKernel {
    /** A directory for the cache file instead of {@code java.io.tmpdir} (tests). */
    static final String CACHE_DIR = "sparkcnn.blas.cacheDir";
    /** The lines of {@code /proc/cpuinfo} that tell the CPU (x86: model and flags; arm64: part and features). */
    private static final Set<String> CPU_KEYS = Set.of("vendor_id", "cpu family", "model", "model name", "stepping",
            "flags", "CPU implementer", "CPU architecture", "CPU variant", "CPU part", "Features");
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
     * {@code OPENBLAS_VERBOSE=2}, about a second) once per machine and setting, then cached ({@link #kernel}); {@code
     * kernel unknown} when that fails.
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

    /**
     * The kernel OpenBLAS picks here: from this machine's cache file when an earlier JVM already asked under the same
     * CPU, {@code OPENBLAS_CORETYPE} and OpenBLAS ({@link #cacheFile}), else from a child JVM, whose answer is then
     * cached (written whole or not at all): the child costs about a second of a core, which every run's start-up paid.
     */
    static String kernel() {
        Path cache = cacheFile(Path.of(System.getProperty(CACHE_DIR, System.getProperty("java.io.tmpdir"))));
        if (cache != null) {
            try {
                String cached = Files.readString(cache, StandardCharsets.UTF_8).trim();
                if (!cached.isEmpty()) {
                    return cached;
                }
            } catch (IOException e) {
                // not asked yet on this machine: ask the child
            }
        }
        String k = childKernel();
        if (cache != null && !k.equals("unknown")) {
            try {
                Path tmp = Files.createTempFile(cache.getParent(), cache.getFileName().toString(), ".tmp");
                Files.writeString(tmp, k + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | UnsupportedOperationException e) {
                // an unwritable directory: the next JVM asks its child again
            }
        }
        return k;
    }

    /**
     * The cache file in {@code dir} for this CPU (its model and instruction-set flags from {@code /proc/cpuinfo}),
     * this environment's {@code OPENBLAS_CORETYPE} and this OpenBLAS: everything OpenBLAS decides its kernel from.
     * Null where {@code /proc/cpuinfo} cannot be read (no cache: every JVM asks its child).
     */
    static Path cacheFile(Path dir) {
        StringBuilder key = new StringBuilder();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    break;                                 // the first processor's block is enough
                }
                String name = line.split(":", 2)[0].trim();
                if (CPU_KEYS.contains(name)) {
                    key.append(line.trim()).append('\n');
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (key.isEmpty()) {
            return null;
        }
        key.append("OPENBLAS_CORETYPE=").append(System.getenv("OPENBLAS_CORETYPE")).append('\n')
                .append(openblas_nolapack.OPENBLAS_VERSION.trim()).append('\n').append(System.getProperty("os.arch"));
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
            return dir.resolve("spark-cnn-blas-kernel-" + HexFormat.of().formatHex(h, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }

    private static String childKernel() {
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
