package org.sparkcnn.tools.report;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accuracy by worker count over seeds: grouping by configuration, means, and the difference from one worker. */
class SeedMeansTest {

    private static RunResult run(int workers, int tau, long seed, double accuracy) {
        return new RunResult(Path.of("runs/w" + workers + "-s" + seed), workers, tau, 64, "native", seed,
                "local[" + workers + "]", 1000, 1000, 8000, 2, 16000, 10, 1600, accuracy, List.of(), List.of());
    }

    @Test
    void meansPerConfigurationAndWorkersAgainstTheFewestWorkers() {
        Sweep sweep = new Sweep(List.of(
                run(4, 5, 1, 0.980), run(1, 5, 1, 0.990), run(2, 5, 2, 0.987), run(1, 5, 2, 0.994),
                run(2, 5, 1, 0.985), run(4, 5, 2, 0.982), run(1, 1, 1, 0.970), run(2, 1, 1, 0.960)), 2);

        SeedMeans means = SeedMeans.of(sweep);

        assertEquals(2, sweep.seeds());
        assertEquals("τ=5, seed 2", sweep.label(sweep.runs().stream().filter(r -> r.seed() == 2).findFirst()
                .orElseThrow()));
        List<SeedMeans.Row> rows = means.rows();
        assertEquals(5, rows.size(), "τ=1 with N = 1, 2; τ=5 with N = 1, 2, 4");
        SeedMeans.Row t1n2 = rows.get(1);
        assertEquals("τ=1", t1n2.configuration());
        assertEquals(2, t1n2.workers());
        assertEquals(-1.0, t1n2.pointsFromBaseline(), 1e-9, "0.960 against 0.970");
        SeedMeans.Row t5n1 = rows.get(2);
        assertEquals(1, t5n1.workers());
        assertArrayEquals(new double[] {0.990, 0.994}, t5n1.accuracies(), 0);
        assertEquals(0.992, t5n1.mean(), 1e-12);
        assertEquals(0.0, t5n1.pointsFromBaseline(), 1e-12);
        SeedMeans.Row t5n4 = rows.get(4);
        assertEquals(4, t5n4.workers());
        assertEquals(0.981, t5n4.mean(), 1e-12);
        assertEquals(0.980, t5n4.min(), 0);
        assertEquals(0.982, t5n4.max(), 0);
        assertEquals(-1.1, t5n4.pointsFromBaseline(), 1e-9);
        assertTrue(means.markdown().contains("| τ=5 | 4 | 2 | 0.9810 | 0.9800 – 0.9820 | -1.10 |"), means.markdown());
    }
}
