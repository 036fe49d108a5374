package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.PatternImages;
import org.sparkcnn.spark.io.MetricsReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Any image shape, channels and classes: 3×16×16 images of 12 classes from IDX4 files, trained in local mode. */
class MultiChannelTest {

    @Test
    void threeChannelsTwelveClassesTrainTo90Percent(@TempDir Path tmp) throws Exception {
        Path data = PatternImages.write(tmp.resolve("data"), 2400, 600, 7);
        Path out = tmp.resolve("out");
        int code = Main.run("train", "--data", data.toString(), "--model", PatternImages.MODEL, "--workers", "2",
                "--master", "local[2]", "--epochs", "3", "--batch", "32", "--local-steps", "2", "--lr", "0.05",
                "--progress", "none", "--out", out.toString());
        assertEquals(0, code);
        Map<String, Object> m = MetricsReport.parse(Files.readAllBytes(out.resolve("metrics.json")));
        double accuracy = ((Number) m.get("accuracy")).doubleValue();
        System.out.printf("3x16x16, 12 classes, 2 workers, 3 epochs: test accuracy %.4f%n", accuracy);
        assertTrue(accuracy >= 0.9, "accuracy " + accuracy);
        assertEquals(600, ((Number) m.get("examples")).intValue());
        assertEquals(3 * 2400, ((Number) m.get("trainExamples")).intValue());            // examples trained on
        assertEquals(12, ((List<?>) m.get("confusionMatrix")).size());
        assertEquals(12, ((List<?>) ((List<?>) m.get("confusionMatrix")).get(11)).size());
        assertEquals(12, ((List<?>) m.get("perClass")).size());
    }
}
