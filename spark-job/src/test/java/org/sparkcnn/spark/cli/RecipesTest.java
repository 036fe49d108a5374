package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.io.MetricsReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled-sample recipe is a working configuration: three short epochs of it train, with every setting it names
 * in force (the full recipe's accuracy is measured by a script, not here: docs/accuracy.md).
 */
class RecipesTest {
    @Test
    void theSampleRecipeTrainsWithItsSettings(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run("train", "--config", "../conf/recipes/mnist-sample.properties", "--epochs", "3",
                "--train-limit", "3000", "--test-limit", "300", "--master", "local[2]", "--progress", "none",
                "--out", out.toString()));
        Map<String, Object> m = MetricsReport.parse(Files.readAllBytes(out.resolve("metrics.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) m.get("configuration");
        assertEquals("shift2,rotate10.0,scale0.1", c.get("augment"));
        assertEquals("COSINE", c.get("lrSchedule"));
        assertEquals(0.05, ((Number) c.get("labelSmoothing")).doubleValue(), 0);
        assertEquals(2, ((Number) c.get("workers")).intValue());
        double accuracy = ((Number) m.get("accuracy")).doubleValue();
        assertTrue(accuracy > 0.8, "three epochs on 3,000 digits: " + accuracy);
    }
}
