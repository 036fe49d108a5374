package org.sparkcnn.tools.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs of one sweep, ordered by engine, batch, τ and workers, with what the tables and plots derive from
 * them: a series label per configuration and the hardware speedup against the configuration's smallest run.
 *
 * @param runs  the runs, sorted
 * @param cores physical cores of the machine the sweep ran on
 */
public record Sweep(List<RunResult> runs, int cores) {

    public Sweep {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one run");
        }
        runs = runs.stream().sorted(Comparator.comparing(RunResult::engine).thenComparingInt(RunResult::batch)
                .thenComparingInt(RunResult::localSteps).thenComparingLong(RunResult::seed)
                .thenComparingInt(RunResult::workers)).toList();
    }

    /** {@code τ=5}, with the batch, engine and seed added when the sweep varies them. */
    public String label(RunResult r) {
        return configurationLabel(r) + (seeds() > 1 ? ", seed " + r.seed() : "");
    }

    /** {@link #label} without the seed: the runs that differ only by their seed share it. */
    public String configurationLabel(RunResult r) {
        boolean batches = runs.stream().mapToInt(RunResult::batch).distinct().count() > 1;
        boolean engines = runs.stream().map(RunResult::engine).distinct().count() > 1;
        return r.tauLabel(batches) + (engines ? ", " + r.engine() : "");
    }

    /** The number of distinct seeds in the sweep. */
    public long seeds() {
        return runs.stream().mapToLong(RunResult::seed).distinct().count();
    }

    /** The runs grouped by {@link #label}, in sweep order; each group is sorted by workers. */
    public Map<String, List<RunResult>> byLabel() {
        Map<String, List<RunResult>> groups = new LinkedHashMap<>();
        for (RunResult r : runs) {
            groups.computeIfAbsent(label(r), k -> new ArrayList<>()).add(r);
        }
        return groups;
    }

    /** The distinct worker counts, ascending. */
    public int[] workerCounts() {
        return runs.stream().mapToInt(RunResult::workers).distinct().sorted().toArray();
    }

    /** The run with the fewest workers and otherwise the same configuration as {@code r}. */
    public RunResult baseline(RunResult r) {
        return byLabel().get(label(r)).get(0);
    }

    /** images/s of {@code r} over images/s of its baseline. */
    public double speedup(RunResult r) {
        return r.imagesPerSecond() / baseline(r).imagesPerSecond();
    }

    /** Speedup divided by the ideal speedup (workers over the baseline's workers). */
    public double efficiency(RunResult r) {
        return speedup(r) * baseline(r).workers() / r.workers();
    }

    /** True when some run on this machine (local mode or a loopback cluster) had more workers than cores. */
    public boolean timeShared() {
        return runs.stream().anyMatch(r -> r.workers() > cores && onThisMachine(r.master()));
    }

    static boolean onThisMachine(String master) {
        return master.startsWith("local") || master.contains("://127.0.0.1") || master.contains("://localhost");
    }
}
