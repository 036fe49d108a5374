package org.sparkcnn.tools.report;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.sparkcnn.spark.Aggregation;
import org.sparkcnn.spark.exchange.ExchangePrecision;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns a sweep's run directories ({@code DIR/runs/*}, each written by {@code spark-cnn train}) into
 * {@code DIR/scaling.csv}, the plots of {@link ScalingCharts}, and {@code DIR/report.md}.
 *
 * <pre>  ScalingReport DIR [--target-accuracy A] [--cores N]</pre>
 *
 * {@code DIR/machine.txt} and {@code DIR/command.txt}, when present, go into the report verbatim.
 */
public final class ScalingReport {
    /** scaling.csv's columns, in order. */
    static final List<String> CSV_COLUMNS = List.of("workers", "local_steps", "batch", "engine", "master",
            "images_per_second", "speedup", "efficiency", "rounds", "round_seconds", "compute_seconds",
            "scheduling_broadcast_seconds", "aggregation_seconds", "bytes_per_round", "examples_seen", "train_seconds",
            "test_accuracy", "seconds_to_target", "run");

    private ScalingReport() { }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: ScalingReport DIR [--target-accuracy A] [--cores N]");
            System.exit(2);
        }
        double target = 0.9;
        int cores = Runtime.getRuntime().availableProcessors();
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--target-accuracy" -> target = Double.parseDouble(args[i + 1]);
                case "--cores" -> cores = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Path.of(args[0]);
        Sweep sweep = write(dir, target, cores);
        System.out.print("final test accuracy by workers, mean over seeds:\n" + SeedMeans.of(sweep).markdown());
        System.out.println("wrote " + dir.resolve("scaling.csv") + ", " + dir.resolve("report.md") + " and plots");
    }

    /** Reads {@code dir/runs/*} and writes scaling.csv, the plots and report.md into {@code dir}. */
    public static Sweep write(Path dir, double target, int cores) throws IOException {
        List<RunResult> runs = new ArrayList<>();
        try (Stream<Path> ls = Files.list(dir.resolve("runs"))) {
            for (Path run : ls.sorted().toList()) {
                if (Files.isRegularFile(run.resolve("metrics.json"))) {
                    runs.add(RunResult.read(run));
                } else {
                    System.err.println("skipping " + run + ": no metrics.json (the run failed or is unfinished)");
                }
            }
        }
        if (runs.isEmpty()) {
            throw new IOException("no finished runs in " + dir.resolve("runs"));
        }
        Sweep sweep = new Sweep(runs, cores);
        CommunicationModel model = CommunicationModel.fit(sweep.runs(), cores);
        Files.writeString(dir.resolve("scaling.csv"), csv(sweep, target, dir), StandardCharsets.UTF_8);
        ScalingCharts.writeAll(sweep, model, dir);
        Files.writeString(dir.resolve("report.md"), markdown(sweep, model, target, dir), StandardCharsets.UTF_8);
        return sweep;
    }

    /**
     * scaling.csv, written with commons-csv: a field with a comma or a quote (a master such as {@code local[2,4]} or
     * {@code spark://a:7077,b:7077}, a run directory's name) is quoted.
     */
    static String csv(Sweep sweep, double target, Path dir) {
        StringWriter text = new StringWriter();
        CSVFormat format = CSVFormat.DEFAULT.builder().setRecordSeparator('\n')
                .setHeader(CSV_COLUMNS.toArray(String[]::new)).build();
        try (CSVPrinter p = new CSVPrinter(text, format)) {
            for (RunResult r : sweep.runs()) {
                p.printRecord(r.workers(), r.localSteps(), r.batch(), r.engine(), r.master(),
                        fixed(1, r.imagesPerSecond()), fixed(3, sweep.speedup(r)), fixed(3, sweep.efficiency(r)),
                        r.rounds().size(), fixed(4, r.meanRound()), fixed(4, r.meanCompute()),
                        fixed(4, r.meanSchedulingBroadcast()), fixed(4, r.meanAggregate()), r.bytesPerRound(),
                        r.examplesSeen(), fixed(2, r.trainSeconds()), fixed(4, r.accuracy()),
                        seconds(r.secondsToAccuracy(target)), dir.relativize(r.dir()).toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringWriter does not fail
        }
        return text.toString();
    }

    private static String fixed(int decimals, double x) {
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }

    private static String seconds(double s) {
        return Double.isNaN(s) ? "" : String.format(Locale.ROOT, "%.1f", s);
    }

    static String markdown(Sweep sweep, CommunicationModel model, double target, Path dir) throws IOException {
        StringBuilder b = new StringBuilder("# Scaling report\n\n");
        List<RunResult> runs = sweep.runs();
        RunResult any = runs.get(0);
        b.append(String.format(Locale.ROOT, "%d runs of local SGD with parameter averaging: workers N ∈ %s, local "
                        + "steps τ ∈ %s, batch B ∈ %s; %d epochs of %,d training examples each (%s parameters). "
                        + "Every run sees the same %,d examples, so final accuracy compares the configurations at "
                        + "a fixed budget.%n%n", runs.size(), distinct(runs, RunResult::workers),
                distinct(runs, RunResult::localSteps), distinct(runs, RunResult::batch), any.epochs(),
                any.trainExamples(), String.format(Locale.ROOT, "%,d", any.parameters()), any.examplesSeen()));
        appendFile(b, "Command", dir.resolve("command.txt"));
        appendFile(b, "Machine", dir.resolve("machine.txt"));
        if (sweep.timeShared()) {
            b.append(String.format(Locale.ROOT, "> **This machine has %d cores.** Runs with more than %d workers "
                    + "time-share them: their images/s say nothing about a cluster of that size, only their accuracy "
                    + "(statistical efficiency) carries over. The two are reported apart below.%n%n",
                    sweep.cores(), sweep.cores()));
        }
        b.append("## Results\n\n");
        b.append(String.format(Locale.ROOT, "Times per round are means over the rounds after the first (which also ships the "
                + "data). Bytes per round = 2 × N × %,d floats × 4 B (the parameters%s). Target accuracy: %.3f.%n%n", any.shippedFloats(),
                any.shippedFloats() > any.parameters() ? " and the averaged optimizer state" : "", target));
        b.append("| N | τ | B | engine | images/s | speedup | efficiency | rounds | s/round | compute | sched+bcast "
                + "| aggregation | MB/round | test acc. | s to target |\n");
        b.append("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult r : runs) {
            double tt = r.secondsToAccuracy(target);
            b.append(String.format(Locale.ROOT, "| %d%s | %d | %d | %s | %.0f | %.2f | %.2f | %d | %.3f | %.3f | "
                            + "%.3f | %.4f | %.1f | %.4f | %s |%n", r.workers(),
                    r.workers() > sweep.cores() && Sweep.onThisMachine(r.master()) ? "*" : "", r.localSteps(),
                    r.batch(), r.engine(), r.imagesPerSecond(), sweep.speedup(r), sweep.efficiency(r),
                    r.rounds().size(), r.meanRound(), r.meanCompute(), r.meanSchedulingBroadcast(),
                    r.meanAggregate(), r.bytesPerRound() / 1e6, r.accuracy(), Double.isNaN(tt) ? "not reached"
                            : String.format(Locale.ROOT, "%.1f", tt)));
        }
        if (sweep.timeShared()) {
            b.append(String.format(Locale.ROOT, "%n\\* more workers than the machine's %d cores: time-shared.%n",
                    sweep.cores()));
        }
        b.append("\nThe same numbers, unrounded: [scaling.csv](scaling.csv).\n\n");

        b.append("## Hardware efficiency: images per second\n\n");
        b.append("![speedup and efficiency](" + ScalingCharts.SPEEDUP + ")\n\n");
        b.append("![time per round](" + ScalingCharts.ROUND_TIME + ")\n\n");
        b.append(hardwareFindings(sweep)).append('\n');

        b.append("## Statistical efficiency: accuracy per example and per round\n\n");
        b.append("![accuracy vs examples](" + ScalingCharts.ACCURACY_VS_EXAMPLES + ")\n\n");
        b.append("![accuracy vs rounds](" + ScalingCharts.ACCURACY_VS_ROUNDS + ")\n\n");
        b.append(statisticalFindings(sweep)).append('\n');

        b.append(projection(sweep, model));
        return b.toString();
    }

    private static String hardwareFindings(Sweep sweep) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<RunResult>> g : sweep.byLabel().entrySet()) {
            List<RunResult> rs = g.getValue();
            RunResult first = rs.get(0);
            RunResult last = rs.get(rs.size() - 1);
            double overheadShare = 1 - last.meanCompute() / last.meanRound();
            b.append(String.format(Locale.ROOT, "- %s: %.0f images/s with %d worker%s, %.0f with %d (speedup %.2f, "
                            + "efficiency %.2f); at %d workers %.0f%% of a round is overhead.%n", g.getKey(),
                    first.imagesPerSecond(), first.workers(), first.workers() == 1 ? "" : "s", last.imagesPerSecond(),
                    last.workers(), sweep.speedup(last), sweep.efficiency(last), last.workers(), 100 * overheadShare));
        }
        b.append(String.format(Locale.ROOT, "%nOverhead per round is roughly fixed, so it weighs less as τ grows "
                + "(more compute per round). Compute is the slowest worker's time; with more workers than cores "
                + "(%d here) every worker's compute stretches because the workers share the cores.%n",
                sweep.cores()));
        return b.toString();
    }

    private static String statisticalFindings(Sweep sweep) {
        StringBuilder b = new StringBuilder();
        RunResult best = sweep.runs().get(0);
        RunResult worst = best;
        for (RunResult r : sweep.runs()) {
            best = r.accuracy() > best.accuracy() ? r : best;
            worst = r.accuracy() < worst.accuracy() ? r : worst;
        }
        b.append(String.format(Locale.ROOT, "After the same %,d examples, test accuracy ranges from %.4f (N=%d, "
                        + "%s) to %.4f (N=%d, %s). Accuracy per example depends on N and τ, not on the hardware, so "
                        + "these curves hold on a real cluster as well, time-shared or not.%n%n", best.examplesSeen(),
                worst.accuracy(), worst.workers(), sweep.label(worst), best.accuracy(), best.workers(),
                sweep.label(best)));
        for (int w : sweep.workerCounts()) {
            List<String> cells = new ArrayList<>();
            for (RunResult r : sweep.runs()) {
                if (r.workers() == w) {
                    cells.add(String.format(Locale.ROOT, "%s: %.4f in %d rounds", sweep.label(r), r.accuracy(),
                            r.rounds().size()));
                }
            }
            b.append(String.format(Locale.ROOT, "- N=%d: %s%n", w, String.join("; ", cells)));
        }
        b.append(String.format(Locale.ROOT, "%nFinal test accuracy by workers, mean over the sweep's %d seed%s:%n%n",
                sweep.seeds(), sweep.seeds() == 1 ? "" : "s")).append(SeedMeans.of(sweep).markdown());
        return b.toString();
    }

    private static String projection(Sweep sweep, CommunicationModel model) {
        StringBuilder b = new StringBuilder("## PROJECTION (communication model, not a measurement)\n\n");
        b.append(String.format(Locale.ROOT, "Seconds per epoch = ⌈n/N⌉ · c + R · round, with R rounds per epoch, "
                        + "f floats exchanged per worker, and per round on the driver path (`--aggregation driver`) "
                        + "o + N · f · a + 2 · N · f · 4 B / link (every byte through the driver's link), on the "
                        + "executor path (`--aggregation executors`, fp32) o + f · a + 4 · f · 4 B · (N − 1)/N / link "
                        + "(each machine's link, all in parallel). Fitted to the runs with N ≤ %d (no time-sharing): "
                        + "c = %.3g s per example on one core, o = %.3g s fixed scheduling+broadcast per round (taken "
                        + "to be the same on both paths), a = %.3g s averaging per worker and float. It assumes one "
                        + "core and one machine per worker; it ignores stragglers, congestion and Spark's torrent "
                        + "broadcast (which spreads the download over the workers). Bytes per round: the driver "
                        + "receives N · (f · 4 B + %d B of reports) on the driver path and N · %d B on the executor "
                        + "path; an executor receives f · 4 B on the driver path and 2 · f · 4 B · (N − 1)/N on the "
                        + "executor path (half with bf16), and sends as much.%n%n", sweep.cores(),
                model.secondsPerExample(), model.fixedSeconds(), model.aggregatePerFloat(),
                CommunicationModel.REPORT_BYTES_PER_WORKER, CommunicationModel.REPORT_BYTES_PER_WORKER));
        b.append("![projection](" + ScalingCharts.PROJECTION + ")\n\n");
        b.append("| configuration | N | measured s/epoch | path | projected, no transfer cost | projected, 10 Gbit/s | "
                + "projected, 1 Gbit/s | driver MB in / round | executor MB in / round |\n"
                + "|---|---:|---:|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<RunResult>> g : sweep.byLabel().entrySet()) {
            RunResult r = g.getValue().get(0);
            for (int w : CommunicationModel.WORKERS) {
                String measured = g.getValue().stream().filter(x -> x.workers() == w).findFirst()
                        .map(x -> String.format(Locale.ROOT, "%.1f%s", x.trainSeconds() / x.epochs(),
                                w > sweep.cores() && Sweep.onThisMachine(x.master()) ? "*" : ""))
                        .orElse("");
                for (Aggregation path : List.of(Aggregation.DRIVER, Aggregation.EXECUTORS)) {
                    b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s", g.getKey(), w,
                            path == Aggregation.DRIVER ? measured : "", path));
                    for (CommunicationModel.Link link : CommunicationModel.LINKS) {
                        b.append(String.format(Locale.ROOT, " | %.1f", model.epochSeconds(path, r.trainExamples(),
                                w, r.localSteps(), r.batch(), r.shippedFloats(), ExchangePrecision.FP32, link)));
                    }
                    b.append(String.format(Locale.ROOT, " | %.2f | %.2f |%n",
                            CommunicationModel.driverBytesPerRound(path, w, r.shippedFloats()) / 1e6,
                            CommunicationModel.executorBytesPerRound(path, w, r.shippedFloats(),
                                    ExchangePrecision.FP32) / 1e6));
                }
            }
        }
        b.append("\nWhere measured and projected differ at N ≤ cores, the model misses a cost of this machine; "
                + "at N > cores the measurement is time-shared and the projection is what N real cores would give.\n");
        return b.toString();
    }

    private static void appendFile(StringBuilder b, String title, Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            b.append("**").append(title).append(":**\n\n```\n").append(Files.readString(file).strip())
                    .append("\n```\n\n");
        }
    }

    private static String distinct(List<RunResult> runs, java.util.function.ToIntFunction<RunResult> f) {
        return runs.stream().mapToInt(f).distinct().sorted().mapToObj(Integer::toString).toList().toString()
                .replace("[", "{").replace("]", "}");
    }
}
