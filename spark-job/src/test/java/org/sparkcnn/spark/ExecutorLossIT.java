package org.sparkcnn.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of an executor JVM in the middle of a run on the standalone cluster (two workers of one core), with the
 * workers' vectors averaged on the driver and then on the executors: each run finishes, and its model is
 * byte-identical to an undisturbed run in local mode. On the executor path the killed executor takes exchange
 * blocks with it; the driver replays from its last model when a later task needs one of them. Runs in
 * `mvn verify`, after the shaded jar.
 */
class ExecutorLossIT {
    static final Path REPO = LocalClusterIT.REPO;
    static final List<String> TRAIN = List.of("train", "--model", "conv5x5x8,maxpool2,dense32:relu,softmax10",
            "--workers", "2", "--local-steps", "2", "--batch", "32", "--epochs", "2", "--updater", "adam",
            "--lr", "0.002", "--progress", "lines");

    @Test
    void aKilledExecutorChangesNoBitOnEitherAveragingPath(@TempDir Path out) throws Exception {
        List<String> local = new ArrayList<>(List.of("scripts/spark-cnn"));
        local.addAll(TRAIN);
        local.addAll(List.of("--master", "local[2]", "--out", out.resolve("undisturbed").toString()));
        LocalClusterIT.run(600, local.toArray(String[]::new));
        byte[] expected = Files.readAllBytes(out.resolve("undisturbed/model.scnn"));

        LocalClusterIT.run(120, "scripts/local-cluster.sh", "start", "2");
        try {
            for (String aggregation : List.of("driver", "executors")) {
                Path run = out.resolve(aggregation);
                String log = trainKillingAnExecutor(run, aggregation);
                assertTrue(log.contains("Lost executor"), "the executor died during the run:\n" + log);
                assertArrayEquals(expected, Files.readAllBytes(run.resolve("model.scnn")), aggregation + ":\n" + log);
                // Whether the executor path had to replay depends on when the kill lands: a task rerun on the
                // surviving executor may find the round's model already gathered there. ExecutorAveragingTest
                // forces the replay; here only the bits matter.
                System.out.printf("%s: killed an executor; %s%n", aggregation,
                        log.contains("replaying rounds") ? "rounds replayed from the driver's last model"
                                : "no replay needed");
            }
        } finally {
            LocalClusterIT.run(120, "scripts/local-cluster.sh", "stop");
        }
        assertEquals(List.of(), LocalClusterIT.sparkJvmsLeft(), "Spark JVMs still running after stop");
    }

    /** Submits the run, kills one executor with SIGKILL once training reports progress, returns the output. */
    private static String trainKillingAnExecutor(Path run, String aggregation) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "scripts/submit.sh", "--master", LocalClusterIT.MASTER));
        cmd.addAll(TRAIN);
        cmd.addAll(List.of("--aggregation", aggregation, "--out", run.toString()));
        Path logFile = Files.createTempFile("executor-loss", ".log");
        Process p = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!Files.readString(logFile).contains("round ") && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(p.isAlive(), "the run ended before an executor could be killed:\n" + Files.readString(logFile));
            List<Long> executors = executorPids();
            assertFalse(executors.isEmpty(), "no executor JVM found");
            new ProcessBuilder("kill", "-9", Long.toString(executors.get(0))).start().waitFor();
            assertTrue(p.waitFor(600, TimeUnit.SECONDS), "the run did not end after the kill");
            String log = Files.readString(logFile);
            assertEquals(0, p.exitValue(), "the run failed after the kill:\n" + log);
            return log;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(logFile);
        }
    }

    /** Executor JVMs launched by this checkout's local cluster. */
    private static List<Long> executorPids() {
        List<Long> pids = new ArrayList<>();
        File[] procs = new File("/proc").listFiles((d, name) -> name.matches("\\d+"));
        for (File p : procs == null ? new File[0] : procs) {
            try {
                String cmd = Files.readString(p.toPath().resolve("cmdline")).replace('\0', ' ');
                if (cmd.contains(REPO.resolve(".cluster").toString()) && cmd.contains("CoarseGrainedExecutorBackend")) {
                    pids.add(Long.parseLong(p.getName()));
                }
            } catch (IOException gone) {
                // the process ended while we looked
            }
        }
        return pids;
    }
}
