package org.sparkcnn.tools.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Final test accuracy per configuration and worker count, as the mean over the sweep's seeds, and its difference
 * from the same configuration's fewest-worker mean: the statistical-efficiency check "accuracy at N workers within
 * x percentage points of one worker at the same example budget".
 *
 * @param rows one row per configuration and worker count, in sweep order
 */
public record SeedMeans(List<Row> rows) {

    /**
     * @param configuration the sweep's label without the seed
     * @param workers       N
     * @param accuracies    the final test accuracy of every seed's run
     * @param baselineMean  the mean of the same configuration with the fewest workers
     */
    public record Row(String configuration, int workers, double[] accuracies, double baselineMean) {

        public double mean() {
            double sum = 0;
            for (double a : accuracies) {
                sum += a;
            }
            return sum / accuracies.length;
        }

        public double min() {
            double m = Double.POSITIVE_INFINITY;
            for (double a : accuracies) {
                m = Math.min(m, a);
            }
            return m;
        }

        public double max() {
            double m = Double.NEGATIVE_INFINITY;
            for (double a : accuracies) {
                m = Math.max(m, a);
            }
            return m;
        }

        /** Percentage points from the fewest-worker mean (negative: less accurate). */
        public double pointsFromBaseline() {
            return 100 * (mean() - baselineMean);
        }
    }

    /** Groups the sweep's runs by configuration and worker count. */
    public static SeedMeans of(Sweep sweep) {
        Map<String, TreeMap<Integer, List<Double>>> groups = new LinkedHashMap<>();
        for (RunResult r : sweep.runs()) {
            groups.computeIfAbsent(sweep.configurationLabel(r), k -> new TreeMap<>())
                    .computeIfAbsent(r.workers(), k -> new ArrayList<>()).add(r.accuracy());
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Integer, List<Double>>> g : groups.entrySet()) {
            double baseline = Double.NaN;
            for (Map.Entry<Integer, List<Double>> n : g.getValue().entrySet()) {
                double[] acc = n.getValue().stream().mapToDouble(Double::doubleValue).toArray();
                Row row = new Row(g.getKey(), n.getKey(), acc, baseline);
                if (Double.isNaN(baseline)) {
                    baseline = row.mean();
                    row = new Row(g.getKey(), n.getKey(), acc, baseline);
                }
                rows.add(row);
            }
        }
        return new SeedMeans(rows);
    }

    /** A markdown table: configuration, N, seeds, mean, range, difference from the fewest workers in pp. */
    public String markdown() {
        StringBuilder b = new StringBuilder("| configuration | N | runs | mean test accuracy | min – max | "
                + "vs fewest workers (pp) |\n|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %.4f | %.4f – %.4f | %+.2f |%n", r.configuration(),
                    r.workers(), r.accuracies().length, r.mean(), r.min(), r.max(), r.pointsFromBaseline()));
        }
        return b.toString();
    }
}
