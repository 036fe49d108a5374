package org.sparkcnn.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.io.MetricsReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher run from another directory resolves relative --data, --out and --config paths in that directory,
 * not in the repository; on Java 25+ it starts from an AOT cache written by its first training run.
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

    /**
     * On a JDK 25+ (found under /usr/lib/jvm), the first training run records and writes the launcher's AOT cache
     * (nothing else left behind, no JVM warnings or messages), and the next run loads the launcher's own classes
     * from it and trains the same bits.
     */
    @Test
    void onJava25TheLauncherStartsFromItsAotCache(@TempDir Path dir) throws Exception {
        Path jdk = jdk25();
        assumeTrue(jdk != null, "no JDK 25 or newer under /usr/lib/jvm");
        // the Spark 3.5 build's classes (its Hadoop 3.3 client needs Subject.getSubject, gone in Java 23+) do not run
        // on Java 25; under that build the launcher would run them
        assumeTrue(org.apache.spark.package$.MODULE$.SPARK_VERSION().startsWith("4."), "Spark 3.5 build");
        // build first, on the JDK running the tests: a build on JDK 25 prints Maven's own warnings
        Process build = new ProcessBuilder("bash", LocalClusterIT.REPO.resolve("scripts/spark-cnn").toString(),
                "--version").redirectErrorStream(true).redirectOutput(dir.resolve("build.log").toFile()).start();
        assertTrue(build.waitFor(600, TimeUnit.SECONDS), "the build did not end");
        assertEquals(0, build.exitValue(), Files.readString(dir.resolve("build.log")));
        Path cds = LocalClusterIT.REPO.resolve("tools/target/cds");
        for (Path old : cacheFiles(cds, "")) {
            Files.delete(old);
        }
        String first = launch(jdk, dir, "first", "-Xmx2g");
        List<Path> caches = cacheFiles(cds, ".aot");
        assertEquals(1, caches.size(), "AOT caches after the first run: " + caches);
        assertEquals(List.of(), cacheFiles(cds, ".tmp"), "temporary files left");
        assertEquals(List.of(), cacheFiles(cds, ".conf"), "AOT configurations left");
        assertFalse(first.contains("WARNING:") || first.contains("[aot]") || first.contains("AOTConfiguration"),
                first);

        Path classes = dir.resolve("class-load.txt");
        String second = launch(jdk, dir, "second", "-Xmx2g -Xlog:class+load=info:file=" + classes);
        assertFalse(second.contains("WARNING:") || second.contains("[aot]"), second);
        assertEquals(caches, cacheFiles(cds, ".aot"), "the second run wrote another cache");
        String main = Files.readAllLines(classes).stream().filter(l -> l.contains(" org.sparkcnn.spark.cli.Main "))
                .findFirst().orElseThrow();
        assertTrue(main.contains("shared objects file"), "Main not loaded from the cache: " + main);
        assertArrayEquals(Files.readAllBytes(dir.resolve("first/model.scnn")),
                Files.readAllBytes(dir.resolve("second/model.scnn")));
    }

    /** One launcher run of 3 rounds on the sample into dir/out, on {@code jdk}; returns its output (exit 0). */
    private static String launch(Path jdk, Path dir, String out, String javaOpts) throws Exception {
        Path log = dir.resolve(out + ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", LocalClusterIT.REPO.resolve("scripts/spark-cnn").toString(),
                "train", "--data", LocalClusterIT.REPO.resolve("data/mnist-sample").toString(), "--out",
                dir.resolve(out).toString(), "--workers", "1", "--max-rounds", "3", "--progress", "none")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().put("JAVA_OPTS", javaOpts);
        Process p = pb.start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "the launcher did not end");
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    /** The AOT files (launcher-*.aot*) in {@code cds} whose names end with {@code suffix}, sorted. */
    private static List<Path> cacheFiles(Path cds, String suffix) throws IOException {
        if (!Files.isDirectory(cds)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cds)) {
            return files.filter(f -> {
                String name = f.getFileName().toString();
                return name.startsWith("launcher-") && name.contains(".aot") && name.endsWith(suffix);
            }).sorted().toList();
        }
    }

    /** A JDK of feature version 25 or newer under /usr/lib/jvm (by its release file), or null. */
    private static Path jdk25() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(jvms)) {
            for (Path d : dirs.sorted().toList()) {
                Path release = d.resolve("release");
                if (Files.isExecutable(d.resolve("bin/java")) && Files.isRegularFile(release)) {
                    String version = Files.readAllLines(release).stream()
                            .filter(l -> l.startsWith("JAVA_VERSION=")).findFirst().orElse("JAVA_VERSION=\"0\"");
                    int feature = Integer.parseInt(version.replaceAll("^JAVA_VERSION=\"?(\\d+).*", "$1"));
                    if (feature >= 25) {
                        found.add(d);
                    }
                }
            }
        }
        return found.isEmpty() ? null : found.get(0);
    }
}
