package org.sparkcnn.tools.report;

import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.spark.RoundStats;
import org.sparkcnn.spark.io.MetricsReport;
import org.sparkcnn.spark.io.RoundsCsv;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One training run of a sweep, read from its directory (metrics.json and rounds.csv of {@code spark-cnn train}).
 *
 * @param dir                the run directory
 * @param workers            N
 * @param localSteps         τ
 * @param batch              B
 * @param engine             the training engine named in metrics.json
 * @param seed               the run's seed (0 in a metrics.json that does not record it)
 * @param master             the Spark master the run used
 * @param parameters         model parameter count
 * @param shippedFloats      floats each worker receives and returns per round: the parameters, plus the optimizer
 *                           state when it is averaged with them
 * @param trainExamples      examples in one epoch
 * @param epochs             epochs trained
 * @param examplesSeen       examples processed by all workers together
 * @param trainSeconds       sum of the rounds' wall times (evaluation excluded)
 * @param imagesPerSecond    examplesSeen / trainSeconds
 * @param accuracy           test accuracy at the end
 * @param rounds             the per-round timings (rounds.csv, read with spark-job's {@link RoundsCsv})
 * @param curve              test accuracy over the run, in round order, ending with the final accuracy
 */
public record RunResult(Path dir, int workers, int localSteps, int batch, String engine, long seed, String master,
                        long parameters, long shippedFloats, int trainExamples, int epochs, long examplesSeen,
                        double trainSeconds, double imagesPerSecond, double accuracy, List<RoundStats> rounds,
                        List<Point> curve) {

    /** Test accuracy after {@code rounds} rounds, {@code examples} examples and {@code seconds} of training. */
    public record Point(int rounds, long examples, double seconds, double accuracy) { }

    /** A label for legends and tables: {@code τ=5} (with {@code , B=64} when batches differ in the sweep). */
    public String tauLabel(boolean withBatch) {
        return "τ=" + localSteps + (withBatch ? ", B=" + batch : "");
    }

    /** Bytes moved per round by the model: every worker receives and returns its floats, 4 bytes each. */
    public long bytesPerRound() {
        return 2L * workers * shippedFloats * 4;
    }

    public double meanCompute() {
        return meanAfterFirst(RoundStats::computeSeconds);
    }

    public double meanSchedulingBroadcast() {
        return meanAfterFirst(RunResult::schedulingBroadcast);
    }

    public double meanAggregate() {
        return meanAfterFirst(RoundStats::aggregateSeconds);
    }

    public double meanRound() {
        return meanAfterFirst(RoundStats::wallSeconds);
    }

    /**
     * Scheduling, broadcast and result transfer: the round's overhead without the averaging (which is 0 in a
     * rounds.csv written before the aggregate_seconds column).
     */
    private static double schedulingBroadcast(RoundStats r) {
        return Math.max(0, r.overheadSeconds() - r.aggregateSeconds());
    }

    /**
     * Mean over the rounds after the first: the first round also ships the training set to the workers and warms
     * the JIT, a one-off cost that is in trainSeconds but is not a cost per round.
     */
    private double meanAfterFirst(java.util.function.ToDoubleFunction<RoundStats> f) {
        List<RoundStats> steady = rounds.size() > 1 ? rounds.subList(1, rounds.size()) : rounds;
        return steady.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    /** Training seconds until the first evaluation at or above {@code target}; NaN when it was never reached. */
    public double secondsToAccuracy(double target) {
        for (Point p : curve) {
            if (p.accuracy() >= target) {
                return p.seconds();
            }
        }
        return Double.NaN;
    }

    static double median(double[] xs) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Reads a run directory; fails with the file's name when something required is missing. */
    @SuppressWarnings("unchecked")
    public static RunResult read(Path dir) throws IOException {
        Path metricsFile = dir.resolve("metrics.json");
        Map<String, Object> m = MetricsReport.parse(Files.readAllBytes(metricsFile));
        Map<String, Object> c = (Map<String, Object>) m.get("configuration");
        if (c == null) {
            throw new IOException(metricsFile + ": no configuration (not written by spark-cnn train)");
        }
        Path roundsFile = dir.resolve("rounds.csv");
        List<RoundStats> rounds;
        try (Reader in = Files.newBufferedReader(roundsFile)) {
            rounds = RoundsCsv.parse(in, roundsFile.toString());
        }
        long parameters = number(m, "parameters", metricsFile).longValue();
        long state = Boolean.TRUE.equals(c.get("averageUpdaterState"))
                ? stateSize(String.valueOf(c.get("updater")), parameters) : 0;
        List<Point> curve = new ArrayList<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) m.getOrDefault("evaluations", List.of())) {
            curve.add(new Point(number(e, "round", metricsFile).intValue(), number(e, "examples", metricsFile)
                    .longValue(), number(e, "trainSeconds", metricsFile).doubleValue(),
                    number(e, "accuracy", metricsFile).doubleValue()));
        }
        for (Map<String, Object> e : (List<Map<String, Object>>) m.getOrDefault("epochMetrics", List.of())) {
            curve.add(atEpochEnd(rounds, number(e, "epoch", metricsFile).intValue(),
                    number(e, "accuracy", metricsFile).doubleValue()));
        }
        long examplesSeen = number(m, "trainExamples", metricsFile).longValue();
        double seconds = number(m, "trainSeconds", metricsFile).doubleValue();
        double accuracy = number(m, "accuracy", metricsFile).doubleValue();
        curve.add(new Point(number(m, "rounds", metricsFile).intValue(), examplesSeen, seconds, accuracy));
        curve.sort(Comparator.comparingInt(Point::rounds));
        List<Point> distinct = new ArrayList<>();
        for (Point p : curve) {
            if (distinct.isEmpty() || distinct.get(distinct.size() - 1).rounds() != p.rounds()) {
                distinct.add(p);
            }
        }
        return new RunResult(dir, number(c, "workers", metricsFile).intValue(),
                number(c, "localSteps", metricsFile).intValue(), number(c, "batch", metricsFile).intValue(),
                String.valueOf(m.getOrDefault("engine", "native")),
                c.get("seed") instanceof Number seed ? seed.longValue() : 0, String.valueOf(m.getOrDefault("master", "")),
                parameters, parameters + state, number(c, "trainExamples", metricsFile).intValue(),
                number(c, "epochs", metricsFile).intValue(), examplesSeen, seconds,
                number(m, "imagesPerSecond", metricsFile).doubleValue(), accuracy, rounds, distinct);
    }

    /** Optimizer-state floats for {@code n} parameters (0 for SGD, n for momentum, 2n for Adam). */
    private static long stateSize(String updater, long n) {
        return new OptimizerConfig(OptimizerConfig.parseKind(updater), LearningRate.constant(1), 0, 0.9, 0.999, 1e-8, 0)
                .stateSize(n);
    }

    /** The point at the end of 1-based {@code epoch}: rounds, examples and seconds summed from rounds.csv. */
    private static Point atEpochEnd(List<RoundStats> rounds, int epoch, double accuracy) {
        int n = 0;
        long examples = 0;
        double seconds = 0;
        for (RoundStats r : rounds) {
            if (r.epoch() < epoch) {
                n++;
                examples += r.examples();
                seconds += r.wallSeconds();
            }
        }
        return new Point(n, examples, seconds, accuracy);
    }

    private static Number number(Map<String, Object> map, String key, Path file) throws IOException {
        if (!(map.get(key) instanceof Number n)) {
            throw new IOException(file + ": no number " + key);
        }
        return n;
    }
}
