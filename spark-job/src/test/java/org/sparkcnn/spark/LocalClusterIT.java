package org.sparkcnn.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.io.MetricsReport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real thing on one machine: a Spark standalone master and two worker JVMs (scripts/local-cluster.sh), a
 * `train` submitted with the shaded jar (scripts/submit.sh), metrics.json checked, a spark.ml Pipeline run through
 * spark-submit, the cluster stopped and no Spark JVM left behind. The cluster authenticates (its default): a driver
 * with another secret is refused, and the secret shows in no log, output or command line. Runs in `mvn verify`, after the shaded jar is packaged.
 */
class LocalClusterIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    /** A free port for the master, so that another checkout's cluster on 7077 does not stop this test. */
    static final int PORT = freePort();
    static final String MASTER = "spark://127.0.0.1:" + PORT;

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void trainsOnAStandaloneClusterWithTwoWorkers(@TempDir Path out) throws Exception {
        run(120, "scripts/local-cluster.sh", "start", "2");
        try {
            // authenticated by default: a secret readable by this user only; a driver with another secret is
            // refused in seconds, with one line, before its context starts
            Path auth = REPO.resolve(".cluster/spark-auth.conf");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(auth)));
            String secret = secretIn(auth);
            // the master and worker daemons deserialize their RPC messages through the launchers' jdk.serialFilter
            try (var pids = Files.list(REPO.resolve(".cluster/pids"))) {
                List<Path> daemons = pids.filter(f -> f.getFileName().toString().endsWith(".pid")).toList();
                assertEquals(3, daemons.size(), daemons.toString());
                for (Path f : daemons) {
                    String cmd = Files.readString(Path.of("/proc", Files.readString(f).trim(), "cmdline"))
                            .replace('\0', ' ');
                    assertTrue(cmd.contains("-Djdk.serialFilter=java.base/*;scala.**;org.apache.spark.**")
                            && cmd.contains(";!* "), f + ": " + cmd);
                }
            }
            Path wrong = Files.writeString(out.resolve("wrong-auth.conf"),
                    "spark.authenticate true\nspark.authenticate.secret not-the-cluster-secret\n");
            long began = System.nanoTime();
            String refused = runFailing(Map.of("SPARK_CNN_AUTH_CONF", wrong.toString()), 60, 2, "scripts/submit.sh",
                    "--master", MASTER, "train", "--epochs", "1", "--out", out.resolve("refused").toString());
            assertTrue(System.nanoTime() - began < 30e9, "refused only after " + (System.nanoTime() - began) / 1e9
                    + " s:\n" + refused);
            assertTrue(refused.contains("spark-cnn: error: the master " + MASTER + " refused this driver's "
                    + "authentication"), refused);
            assertTrue(Files.notExists(out.resolve("refused")), refused);

            Path events = Files.createDirectories(out.resolve("events"));
            String log = run(600, "scripts/submit.sh", "--master", MASTER, "train",
                    "--model", "conv5x5x8,maxpool2,dense32:relu,softmax10", "--epochs", "1", "--train-limit", "2000",
                    "--local-steps", "4", "--progress", "none", "--out", out.toString(),
                    "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + events.toUri());
            Map<String, Object> m = MetricsReport.parse(Files.readAllBytes(out.resolve("metrics.json")));
            assertEquals(MASTER, m.get("master"), log);
            // no --workers: the cluster's task slots, two workers of one core each
            assertEquals(2, ((Number) ((Map<?, ?>) m.get("configuration")).get("workers")).intValue(), log);
            assertEquals(2000, ((Number) m.get("trainExamples")).intValue());
            // the executors' BLAS, probed by one task per worker, and the task cores, in the configuration
            Map<?, ?> hardware = (Map<?, ?>) ((Map<?, ?>) m.get("configuration")).get("hardware");
            assertEquals(1, ((Number) hardware.get("taskCores")).intValue(), log);
            assertTrue(String.valueOf(hardware.get("blas")).matches("OPENBLAS \\S+, kernel \\w+, oneDNN"), hardware + log);
            assertEquals(1000, ((Number) m.get("examples")).intValue());
            assertTrue(((Number) m.get("accuracy")).doubleValue() > 0.6, "accuracy " + m.get("accuracy"));
            assertTrue(Files.size(out.resolve("model.scnn")) > 0);
            assertTrue(Files.readAllLines(out.resolve("rounds.csv")).size() > 1);
            // Round after round, Spark runs worker w's task in the executor that caches shard w.
            @SuppressWarnings("unchecked")
            Map<String, Object> locality = (Map<String, Object>) m.get("localStepsLocality");
            long tasks = locality.values().stream().mapToLong(v -> ((Number) v).longValue()).sum();
            long local = ((Number) locality.getOrDefault("PROCESS_LOCAL", 0)).longValue();
            assertTrue(tasks > 0 && local >= 0.9 * tasks, "local-steps tasks by locality: " + locality);
            // the event log on the cluster (the driver writes it; Jackson must match the Spark home's)
            assertTrue(org.sparkcnn.spark.cli.EventLogTest.eventLogText(events)
                    .contains("\"Event\":\"SparkListenerApplicationEnd\""), log);

            // executors read their own shards of a 3-channel, 12-class IDX4 set (the driver reads only headers)
            Path data = PatternImages.write(out.resolve("rgb-data"), 2400, 600, 7);
            String rgbLog = run(600, "scripts/submit.sh", "--master", MASTER, "train",
                    "--data", data.toString(), "--model", PatternImages.MODEL, "--epochs", "3", "--batch", "32",
                    "--local-steps", "2", "--lr", "0.05", "--workers", "2", "--progress", "none",
                    "--out", out.resolve("rgb").toString());
            Map<String, Object> rgb = MetricsReport.parse(Files.readAllBytes(out.resolve("rgb/metrics.json")));
            double accuracy = ((Number) rgb.get("accuracy")).doubleValue();
            assertTrue(accuracy >= 0.9, "3x16x16, 12 classes on the cluster: accuracy " + accuracy + "\n" + rgbLog);
            assertEquals(12, ((List<?>) rgb.get("confusionMatrix")).size());

            // a spark.ml Pipeline (CnnClassifier) fit, transform, save and reload through spark-submit
            Path parquet = out.resolve("parquet");
            run(600, "scripts/submit.sh", "--master", MASTER, "convert", "--out", parquet.toString());
            String pipelineLog = run(Map.of("SPARK_CNN_MAIN_CLASS", "org.sparkcnn.spark.examples.PipelineExample"),
                    600, "scripts/submit.sh", "--master", MASTER, parquet.toString(),
                    out.resolve("pipeline-model").toString(), "1", "2");
            java.util.regex.Matcher acc = java.util.regex.Pattern.compile("accuracy (0\\.\\d+)")
                    .matcher(pipelineLog);
            assertTrue(acc.find(), pipelineLog);
            assertTrue(Double.parseDouble(acc.group(1)) > 0.9, "pipeline on the cluster: " + acc.group());
            assertTrue(Files.isDirectory(out.resolve("pipeline-model/stages")), pipelineLog);

            // the secret is in no log, output or command line
            for (String text : List.of(log, rgbLog, pipelineLog, refused)) {
                assertTrue(!text.contains(secret), "the secret in a job's output");
            }
            assertEquals(List.of(), filesContaining(secret, REPO.resolve(".cluster/logs"), REPO.resolve(".cluster/work"),
                    out), "files holding the secret");
            assertEquals(List.of(), commandLinesContaining(secret), "command lines holding the secret");
        } finally {
            run(120, "scripts/local-cluster.sh", "stop");
        }
        assertEquals(List.of(), sparkJvmsLeft(), "Spark JVMs still running after stop");
    }

    /**
     * One worker JVM of two cores running one two-core task (each minibatch split over two threads): the model is
     * byte-identical to the same run in local mode with two-core tasks.
     */
    @Test
    void aTwoCoreTaskOnTheClusterTrainsAsInLocalMode(@TempDir Path out) throws Exception {
        List<String> train = List.of("train", "--model", "conv5x5x8,maxpool2,dense32:relu,softmax10", "--epochs", "1",
                "--train-limit", "1500", "--workers", "1", "--local-steps", "3", "--progress", "none",
                "--conf", "spark.task.cpus=2");
        List<String> local = new ArrayList<>(List.of("scripts/spark-cnn"));
        local.addAll(train);
        local.addAll(List.of("--master", "local[2]", "--out", out.resolve("local").toString()));
        run(600, local.toArray(String[]::new));
        run(Map.of("SPARK_WORKER_CORES", "2"), 120, "scripts/local-cluster.sh", "start", "1");
        try {
            List<String> submit = new ArrayList<>(List.of("scripts/submit.sh", "--master", MASTER));
            submit.addAll(train);
            submit.addAll(List.of("--conf", "spark.executor.cores=2", "--out", out.resolve("cluster").toString()));
            String log = run(600, submit.toArray(String[]::new));
            assertArrayEquals(Files.readAllBytes(out.resolve("local/model.scnn")),
                    Files.readAllBytes(out.resolve("cluster/model.scnn")), log);
        } finally {
            run(120, "scripts/local-cluster.sh", "stop");
        }
        assertEquals(List.of(), sparkJvmsLeft(), "Spark JVMs still running after stop");
    }

    /** The value of spark.authenticate.secret in a properties file. */
    static String secretIn(Path conf) throws IOException {
        return Files.readAllLines(conf).stream().filter(l -> l.startsWith("spark.authenticate.secret "))
                .map(l -> l.substring(l.indexOf(' ') + 1).strip()).findFirst().orElseThrow();
    }

    /** Regular files under {@code roots} whose bytes contain {@code text}. */
    static List<Path> filesContaining(String text, Path... roots) throws IOException {
        byte[] needle = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Path> found = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (var files = Files.walk(root)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    byte[] b = Files.readAllBytes(f);
                    if (indexOf(b, needle) >= 0) {
                        found.add(f);
                    }
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Runs a command that must fail with exit code {@code expected} within {@code timeoutSeconds}; returns its output.
     * The output goes to a file, so a child that hangs is killed at the timeout rather than hanging the test.
     */
    static String runFailing(Map<String, String> env, int timeoutSeconds, int expected, String... command)
            throws Exception {
        ChildProcess.Result r = bash(env, timeoutSeconds, command);
        assertEquals(expected, r.exitCode(), String.join(" ", command) + ":\n" + r.output());
        return r.output();
    }

    static List<String> commandLinesContaining(String text) {
        return commandLines().stream().filter(cmd -> cmd.contains(text)).toList();
    }

    /** Command lines of live processes running Spark's master, worker or executor classes from this checkout. */
    static List<String> sparkJvmsLeft() throws IOException {
        String cluster = REPO.resolve(".cluster").toString();
        return commandLines().stream().filter(cmd -> cmd.contains(cluster) && (cmd.contains("deploy.master.Master")
                || cmd.contains("deploy.worker.Worker") || cmd.contains("CoarseGrainedExecutorBackend"))).toList();
    }

    /** The command lines of the live processes, arguments joined by spaces. */
    private static List<String> commandLines() {
        List<String> found = new ArrayList<>();
        File[] procs = new File("/proc").listFiles((d, name) -> name.matches("\\d+"));
        for (File p : procs == null ? new File[0] : procs) {
            try {
                found.add(Files.readString(p.toPath().resolve("cmdline")).replace('\0', ' '));
            } catch (IOException gone) {
                // the process ended while we looked
            }
        }
        return found;
    }

    static String run(int timeoutSeconds, String... command) throws Exception {
        return run(Map.of(), timeoutSeconds, command);
    }

    static String run(Map<String, String> env, int timeoutSeconds, String... command) throws Exception {
        ChildProcess.Result r = bash(env, timeoutSeconds, command);
        assertEquals(0, r.exitCode(), String.join(" ", command) + " failed:\n" + r.output());
        return r.output();
    }

    /** Runs {@code bash command...} in the repository with this test's master port and {@code env}. */
    private static ChildProcess.Result bash(Map<String, String> env, int timeoutSeconds, String... command)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile());
        pb.environment().put("SPARK_MASTER_PORT", Integer.toString(PORT));
        pb.environment().putAll(env);
        return ChildProcess.run(pb, timeoutSeconds);
    }
}
