package org.sparkcnn.spark.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Default locations: the bundled MNIST sample under {@code $SPARK_CNN_HOME/data/mnist-sample} (or ./data/…). */
final class Defaults {
    private Defaults() { }

    static String sampleData() {
        String home = System.getenv("SPARK_CNN_HOME");
        Path p = Path.of(home == null ? "." : home, "data", "mnist-sample");
        if (!Files.isDirectory(p) && home == null && Files.isDirectory(Path.of("..", "data", "mnist-sample"))) {
            p = Path.of("..", "data", "mnist-sample");
        }
        return p.toString();
    }
}
