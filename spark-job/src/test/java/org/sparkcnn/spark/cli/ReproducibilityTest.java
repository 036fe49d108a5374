package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.RoundStats;
import org.sparkcnn.spark.io.MetricsReport;
import org.sparkcnn.spark.io.RoundsCsv;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Same configuration, seed and worker count give a bit-identical model.scnn, metrics.json and rounds.csv (timing
 * fields aside) run after run: 2 workers, τ = 3, dropout, Adam, through the command line.
 */
class ReproducibilityTest {
    @TempDir
    Path tmp;

    static void train(Path out, String seed) {
        int code = Main.run("train", "--model", "conv5x5x4,maxpool2,dense16:relu,dropout0.3,softmax10",
                "--data", "../data/mnist-sample", "--workers", "2", "--train-limit", "1000", "--test-limit", "500",
                "--batch", "32", "--local-steps", "3", "--epochs", "1", "--updater", "adam", "--lr", "0.002",
                "--seed", seed, "--progress", "none", "--out", out.toString());
        assertEquals(0, code);
    }

    /**
     * metrics.json without the measurements of the run itself: wall-clock times, and the bytes Spark's task metrics
     * counted (a task's result carries its own metrics, whose sizes vary).
     */
    static Map<String, Object> metricsWithoutTiming(Path out) throws IOException {
        Map<String, Object> m = MetricsReport.parse(Files.readAllBytes(out.resolve("metrics.json")));
        for (String measured : List.of("trainSeconds", "imagesPerSecond", "readSeconds", "driverResultBytes",
                "exchangeBytes", "localStepsLocality")) {
            assertTrue(m.remove(measured) != null, measured + " in metrics.json");
        }
        return m;
    }

    /** rounds.csv's round, epoch, examples and train_loss columns. */
    static List<String> roundsWithoutTiming(Path out) throws IOException {
        List<String> kept = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(out.resolve("rounds.csv"))) {
            for (RoundStats r : RoundsCsv.parse(in, "rounds.csv")) {
                kept.add(r.round() + "," + r.epoch() + "," + r.examples() + "," + r.trainLoss());
            }
        }
        return kept;
    }

    @Test
    void sameSeedSameBytes() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        train(a, "11");
        train(b, "11");
        train(c, "12");
        assertArrayEquals(Files.readAllBytes(a.resolve("model.scnn")), Files.readAllBytes(b.resolve("model.scnn")));
        assertEquals(metricsWithoutTiming(a), metricsWithoutTiming(b));
        assertEquals(roundsWithoutTiming(a), roundsWithoutTiming(b));
        assertNotEquals(roundsWithoutTiming(a), roundsWithoutTiming(c), "another seed should train differently");
    }
}
