package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkcnn.spark.io.MetricsReport;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recipes in conf/recipes are working configurations: a short run of each trains with every setting it names in
 * force (their full accuracy is measured by scripts/recipe-accuracy.sh, not here: docs/accuracy.md).
 */
class RecipesTest {
    private static final Path RECIPES = Path.of("../conf/recipes");

    @Test
    void theSampleRecipeTrainsWithItsSettings(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run("train", "--config", "../conf/recipes/mnist-sample.properties", "--epochs", "3",
                "--train-limit", "3000", "--test-limit", "300", "--master", "local[2]", "--progress", "none",
                "--out", out.toString()));
        Map<String, Object> m = MetricsReport.parse(Files.readAllBytes(out.resolve("metrics.json")));
        Map<String, Object> c = configuration(m);
        assertEquals("shift2,rotate10.0,scale0.1", c.get("augment"));
        assertEquals("COSINE", c.get("lrSchedule"));
        assertEquals(0.05, ((Number) c.get("labelSmoothing")).doubleValue(), 0);
        assertEquals(2, ((Number) c.get("workers")).intValue());
        double accuracy = ((Number) m.get("accuracy")).doubleValue();
        assertTrue(accuracy > 0.8, "three epochs on 3,000 digits: " + accuracy);
    }

    /**
     * Every recipe, on a slice of the bundled sample instead of its own data set (which CI does not have): it parses,
     * trains two epochs (the cosine schedule needs more than its one-epoch warm-up), and its model, schedule and
     * augmentation are the ones the run records.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mnist-sample", "mnist", "fashion-mnist"})
    void everyRecipeTrainsWithItsSettings(String name, @TempDir Path out) throws Exception {
        Path recipe = RECIPES.resolve(name + ".properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(recipe)) {
            p.load(r);
        }
        assertEquals(0, Main.run("train", "--config", recipe.toString(), "--data", "../data/mnist-sample",
                "--epochs", "2", "--train-limit", "600", "--test-limit", "100", "--master", "local[2]",
                "--progress", "none", "--out", out.toString()));
        Map<String, Object> c = configuration(MetricsReport.parse(Files.readAllBytes(out.resolve("metrics.json"))));
        String[] recorded = String.valueOf(c.get("model")).replaceFirst("^input[^,]*,", "").split(",");
        String[] layers = p.getProperty("model").split(",");
        for (int i = 0; i < layers.length; i++) {
            assertTrue(recorded[i].startsWith(layers[i].trim()), "layer " + i + ": " + recorded[i] + " for " + layers[i]);
        }
        assertEquals(p.getProperty("lr-schedule").toUpperCase(), c.get("lrSchedule"));
        assertEquals(Double.parseDouble(p.getProperty("weight-decay")), ((Number) c.get("weightDecay")).doubleValue());
        assertEquals(Integer.parseInt(p.getProperty("workers")), ((Number) c.get("workers")).intValue());
        assertTrue(!String.valueOf(c.get("augment")).isEmpty() && !"none".equals(c.get("augment")), "augmentation on");
    }

    /** The parameterized test above covers every recipe file there is. */
    @Test
    void everyRecipeFileIsCovered() throws Exception {
        try (Stream<Path> files = Files.list(RECIPES)) {
            assertEquals(List.of("fashion-mnist.properties", "mnist-sample.properties", "mnist.properties"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> configuration(Map<String, Object> metrics) {
        return (Map<String, Object>) metrics.get("configuration");
    }
}
