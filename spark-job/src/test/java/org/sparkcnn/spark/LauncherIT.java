package org.sparkcnn.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.io.MetricsReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher run from another directory resolves relative --data, --out and --config paths in that directory,
 * not in the repository.
 */
class LauncherIT {
    @Test
    void relativePathsAreTheCallersOwn(@TempDir Path cwd) throws Exception {
        Path data = Files.createDirectories(cwd.resolve("digits"));
        try (var files = Files.list(LocalClusterIT.REPO.resolve("data/mnist-sample"))) {
            for (Path f : files.toList()) {
                Files.copy(f, data.resolve(f.getFileName()));
            }
        }
        Files.writeString(cwd.resolve("run.properties"), "epochs = 1\nworkers = 1\n");
        Path log = cwd.resolve("launcher.log");
        Process p = new ProcessBuilder("bash", LocalClusterIT.REPO.resolve("scripts/spark-cnn").toString(), "train",
                "--config", "run.properties", "--data", "digits", "--out", "out", "--train-limit", "300",
                "--test-limit", "100", "--model", "conv5x5x4,maxpool2,softmax10", "--progress", "none")
                .directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "the launcher did not end");
        assertEquals(0, p.exitValue(), Files.readString(log));
        Map<String, Object> m = MetricsReport.parse(Files.readAllBytes(cwd.resolve("out/metrics.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> configuration = (Map<String, Object>) m.get("configuration");
        assertEquals("digits", configuration.get("data"));
        assertEquals(1, ((Number) configuration.get("epochs")).intValue());
        assertEquals(300, ((Number) m.get("trainExamples")).intValue());
        for (String name : List.of("out", "digits", "run.properties")) {
            assertFalse(Files.exists(LocalClusterIT.REPO.resolve(name)), name + " resolved in the repository");
        }
    }
}
