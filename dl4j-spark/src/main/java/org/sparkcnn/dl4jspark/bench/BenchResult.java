package org.sparkcnn.dl4jspark.bench;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * One engine's measurements, written by its own JVM as a properties file and read back by {@link BenchSummary}.
 *
 * @param engine           native-1, native-2, dl4j or dl4j-spark
 * @param model            the preset name
 * @param workers          workers (1 for single-process DL4J)
 * @param tau              local steps between averagings (0 when there is no averaging)
 * @param cores            cores the engine was given (tasks × task cores, or OMP threads)
 * @param trainImages      training examples processed
 * @param trainSeconds     training wall time, evaluation excluded
 * @param testAccuracy     test accuracy at the end
 * @param secondsToTarget  training seconds until the first evaluation at or above the target accuracy; NaN if never
 * @param peakRssMb        VmHWM of the JVM at the end, MiB
 * @param overheadShare    Spark overhead seconds / round wall seconds (our engine only; NaN otherwise)
 * @param rounds           averaging rounds run (our engine only; 0 otherwise)
 * @param medianOverheadMs the median round's Spark overhead, ms (our engine only; NaN otherwise): unlike the
 *                         share, it leaves out the first rounds' warm-up (JIT, first broadcasts)
 */
public record BenchResult(String engine, String model, int workers, int tau, int cores, long trainImages,
                          double trainSeconds, double testAccuracy, double secondsToTarget, double peakRssMb,
                          double overheadShare, long rounds, double medianOverheadMs) {

    /** Spark overhead per averaging round, milliseconds (NaN when there are no rounds). */
    public double overheadMsPerRound() {
        return rounds > 0 ? 1000 * overheadShare * trainSeconds / rounds : Double.NaN;
    }

    public double imagesPerSecond() {
        return trainSeconds > 0 ? trainImages / trainSeconds : 0;
    }

    public void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("engine", engine);
        p.setProperty("model", model);
        p.setProperty("workers", Integer.toString(workers));
        p.setProperty("tau", Integer.toString(tau));
        p.setProperty("cores", Integer.toString(cores));
        p.setProperty("train_images", Long.toString(trainImages));
        p.setProperty("train_seconds", num(trainSeconds));
        p.setProperty("test_accuracy", num(testAccuracy));
        p.setProperty("seconds_to_target", num(secondsToTarget));
        p.setProperty("peak_rss_mb", num(peakRssMb));
        p.setProperty("overhead_share", num(overheadShare));
        p.setProperty("rounds", Long.toString(rounds));
        p.setProperty("median_overhead_ms", num(medianOverheadMs));
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
    }

    public static BenchResult read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return new BenchResult(p.getProperty("engine"), p.getProperty("model"),
                Integer.parseInt(p.getProperty("workers")), Integer.parseInt(p.getProperty("tau")),
                Integer.parseInt(p.getProperty("cores")), Long.parseLong(p.getProperty("train_images")),
                Double.parseDouble(p.getProperty("train_seconds")), Double.parseDouble(p.getProperty("test_accuracy")),
                Double.parseDouble(p.getProperty("seconds_to_target")), Double.parseDouble(p.getProperty("peak_rss_mb")),
                Double.parseDouble(p.getProperty("overhead_share")), Long.parseLong(p.getProperty("rounds", "0")),
                Double.parseDouble(p.getProperty("median_overhead_ms", "NaN")));
    }

    static String num(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.6f", v);
    }
}
