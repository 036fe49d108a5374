package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.io.MetricsReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's quick start, `scripts/spark-cnn train`, with nothing but an output directory: lenet, local mode,
 * the bundled sample, default settings. It must reach 97% test accuracy and write the documented outputs.
 */
class QuickStartTest {

    @Test
    void defaultTrainingReaches97PercentAndWritesTheOutputContract(@TempDir Path out) throws Exception {
        int code = Main.run("train", "--out", out.toString(), "--progress", "none", "--verbose");
        assertEquals(0, code);
        Map<String, Object> m = MetricsReport.parse(Files.readAllBytes(out.resolve("metrics.json")));
        double accuracy = ((Number) m.get("accuracy")).doubleValue();
        assertTrue(accuracy >= 0.97, "quick start accuracy " + accuracy);
        assertEquals(10, ((List<?>) m.get("perClass")).size());
        List<?> confusion = (List<?>) m.get("confusionMatrix");
        long total = 0;
        for (Object row : confusion) {
            for (Object v : (List<?>) row) {
                total += ((Number) v).longValue();
            }
        }
        assertEquals(1000, total);
        assertEquals(8000 * 5, ((Number) m.get("trainExamples")).longValue());
        assertTrue(((Number) m.get("imagesPerSecond")).doubleValue() > 0);
        assertTrue(((Number) m.get("trainSeconds")).doubleValue() > 0);
        assertTrue(((Map<?, ?>) m.get("configuration")).containsKey("localSteps"));
        assertTrue(Files.readAllLines(out.resolve("rounds.csv")).size() > 1);
        assertTrue(Files.size(out.resolve("model.scnn")) > 431_080 * 4);
        assertEquals(0, Main.run("evaluate", "--model", out.resolve("model.scnn").toString(), "--out",
                out.resolve("eval").toString()));
        Map<String, Object> e = MetricsReport.parse(Files.readAllBytes(out.resolve("eval/metrics.json")));
        assertEquals(accuracy, ((Number) e.get("accuracy")).doubleValue(), 1e-12);
    }
}
