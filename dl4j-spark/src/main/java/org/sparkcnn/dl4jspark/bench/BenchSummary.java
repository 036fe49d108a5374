package org.sparkcnn.dl4jspark.bench;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Joins the engines' results (DIR/raw/ENGINE.properties), the sgemm rates (DIR/raw/blas.properties) and the
 * machine description (DIR/raw/machine.txt) into DIR/results.md and DIR/results.csv (commons-csv). Ratios are this engine's
 * training images/s divided by the peer's. Achieved GFLOP/s = images/s × forward+backward MFLOP per image / 1000,
 * compared with the sgemm rate on as many threads as the engine had cores.
 */
final class BenchSummary {
    /** Forward + backward MFLOP per training image (multiply-adds counted as 2). */
    static final Map<String, Double> MFLOP_PER_IMAGE = Map.of("lenet", 13.18, "tf-mnist", 82.05);
    static final List<String> ORDER = List.of("native-1", "native-2", "dl4j", "dl4j-spark");

    private BenchSummary() { }

    static void write(Path dir) throws IOException {
        Path raw = dir.resolve("raw");
        List<BenchResult> results = new ArrayList<>();
        for (String engine : ORDER) {
            Path f = raw.resolve(engine + ".properties");
            if (Files.exists(f)) {
                results.add(BenchResult.read(f));
            }
        }
        Properties blas = new Properties();
        Path blasFile = raw.resolve("blas.properties");
        if (Files.exists(blasFile)) {
            try (Reader r = Files.newBufferedReader(blasFile)) {
                blas.load(r);
            }
        }
        Path machineFile = raw.resolve("machine.txt");
        List<String> machine = Files.exists(machineFile) ? Files.readAllLines(machineFile) : List.of();

        List<String> columns = new ArrayList<>(List.of("engine", "model", "workers", "tau", "cores", "train_images",
                "train_seconds", "images_per_second"));
        for (BenchResult peer : results) {
            columns.add("ratio_to_" + peer.engine());
        }
        columns.addAll(List.of("test_accuracy", "seconds_to_target", "peak_rss_mb", "gflops", "sgemm_gflops",
                "gflops_share", "spark_overhead_share"));
        StringWriter csvText = new StringWriter();
        CSVPrinter csv = new CSVPrinter(csvText, CSVFormat.DEFAULT.builder().setRecordSeparator('\n')
                .setHeader(columns.toArray(String[]::new)).build());
        StringBuilder md = new StringBuilder("# Engine benchmark\n\n");
        for (String line : machine) {
            md.append("- ").append(line).append('\n');
        }
        md.append(String.format(Locale.ROOT, "- sgemm 1024³: %s GFLOP/s on 1 thread, %s on 2 threads%n%n",
                or(Double.parseDouble(blas.getProperty("sgemm_gflops_1", "NaN")), "%.1f"),
                or(Double.parseDouble(blas.getProperty("sgemm_gflops_2", "NaN")), "%.1f")));
        md.append("| engine | workers | τ | cores | images/s |");
        for (BenchResult peer : results) {
            md.append(" × ").append(peer.engine()).append(" |");
        }
        md.append(" test acc | s to target | peak RSS MiB | GFLOP/s | % of sgemm | Spark overhead |\n|");
        md.append(" --- |".repeat(5 + results.size() + 6)).append('\n');

        for (BenchResult r : results) {
            double mflop = MFLOP_PER_IMAGE.getOrDefault(r.model(), Double.NaN);
            double gflops = r.imagesPerSecond() * mflop / 1000;
            String sg = blas.getProperty("sgemm_gflops_" + Math.min(2, r.cores()));
            double sgemm = sg == null ? Double.NaN : Double.parseDouble(sg);
            List<Object> row = new ArrayList<>(List.of(r.engine(), r.model(), r.workers(), r.tau(), r.cores(),
                    r.trainImages(), String.format(Locale.ROOT, "%.3f", r.trainSeconds()),
                    String.format(Locale.ROOT, "%.2f", r.imagesPerSecond())));
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %.1f |", r.engine(), r.workers(),
                    r.tau() == 0 ? "–" : Integer.toString(r.tau()), r.cores(), r.imagesPerSecond()));
            for (BenchResult peer : results) {
                double ratio = r.imagesPerSecond() / peer.imagesPerSecond();
                row.add(String.format(Locale.ROOT, "%.3f", ratio));
                md.append(String.format(Locale.ROOT, " %.2f |", ratio));
            }
            row.addAll(List.of(String.format(Locale.ROOT, "%.4f", r.testAccuracy()), or(r.secondsToTarget(), "%.1f"),
                    String.format(Locale.ROOT, "%.0f", r.peakRssMb()), or(gflops, "%.2f"), or(sgemm, "%.1f"),
                    or(gflops / sgemm, "%.4f"), or(r.overheadShare(), "%.4f")));
            csv.printRecord(row);
            md.append(String.format(Locale.ROOT, " %.4f | %s | %.0f | %s | %s | %s |%n", r.testAccuracy(),
                    or(r.secondsToTarget(), "%.1f"), r.peakRssMb(), or(gflops, "%.2f"),
                    or(100 * gflops / sgemm, "%.1f"), or(100 * r.overheadShare(), "%.1f %%")));
        }
        md.append("\nimages/s: training images per second of training wall time (evaluation excluded); "
                + "× peer: this engine's images/s over the peer's; s to target: training seconds until a periodic "
                + "test evaluation first reached the target accuracy (n/a: never); GFLOP/s: images/s × MFLOP per "
                + "image (lenet 13.18, tf-mnist 82.05) / 1000, and its share of the sgemm rate on as many threads as "
                + "the engine's cores; Spark overhead: overhead seconds / round wall seconds of our engine. Every "
                + "engine's JVM first trained one untimed epoch (on the first --warmup-images images; default all) "
                + "from the same initial parameters and discarded that model (JIT warm-up; 0 times cold JVMs).\n");
        overheadPerTau(raw, md);
        csv.close();
        Files.writeString(dir.resolve("results.csv"), csvText.toString());
        Files.writeString(dir.resolve("results.md"), md);
        System.out.print(md);
    }

    /** The table of native-2 short runs at several τ (DIR/raw/overhead-tau-T.properties), when there are any. */
    private static void overheadPerTau(Path raw, StringBuilder md) throws IOException {
        List<Path> files;
        try (var listing = Files.list(raw)) {
            files = listing.filter(p -> p.getFileName().toString().startsWith("overhead-tau-")).toList();
        }
        List<BenchResult> runs = new ArrayList<>();
        for (Path f : files) {
            runs.add(BenchResult.read(f));
        }
        if (runs.isEmpty()) {
            return;
        }
        runs.sort(java.util.Comparator.comparingInt(BenchResult::tau));
        BenchResult first = runs.get(0);
        md.append(String.format(Locale.ROOT, "%n## Spark overhead per τ (native, %d workers, %d training images)%n%n",
                first.workers(), first.trainImages()));
        md.append("| τ | rounds | images/s | Spark overhead | mean overhead ms/round | median overhead ms/round |\n");
        md.append("| --- | --- | --- | --- | --- | --- |\n");
        for (BenchResult r : runs) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %s | %s | %s |%n", r.tau(), r.rounds(),
                    r.imagesPerSecond(), or(100 * r.overheadShare(), "%.1f %%"), or(r.overheadMsPerRound(), "%.1f"),
                    or(r.medianOverheadMs(), "%.1f")));
        }
        md.append("\nThe share and the mean include the first rounds' warm-up (JIT compilation, first broadcasts); the "
                + "median round leaves it out.\n");
    }

    private static String or(double v, String format) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "n/a";
    }
}
