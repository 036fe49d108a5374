package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.io.MetricsReport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A driver killed with SIGKILL mid-training (in its second epoch) and resumed with {@code train --resume} (same
 * --out) ends with the same model.scnn bytes, rounds, test accuracy and per-epoch test metrics (the first epoch's
 * restored from the checkpoint) as an uninterrupted run. Each run is a child JVM.
 */
class ResumeAfterKillTest {
    /** The parent pom's add.opens property: what Spark needs on Java 17. */
    static final List<String> ADD_OPENS = Stream.of("java.lang", "java.lang.invoke", "java.nio", "sun.nio.ch",
            "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "sun.util.calendar", "java.net",
            "java.io", "java.lang.reflect", "sun.nio.cs", "sun.security.action")
            .map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED").toList();
    /** 2 workers × 600 examples / batch 32 = 19 steps, τ = 2: 10 rounds an epoch, 20 in all. */
    static final List<String> CONFIG = List.of("train", "--model", "conv5x5x4,maxpool2,dense16:relu,softmax10",
            "--data", "../data/mnist-sample", "--master", "local[2]", "--workers", "2", "--train-limit", "1200",
            "--test-limit", "500", "--batch", "32", "--local-steps", "2", "--epochs", "3", "--updater", "adam",
            "--lr", "0.002", "--seed", "7", "--progress", "none", "--eval-every-epoch");
    static final int ROUNDS = 30;          // 10 per epoch
    static final int KILL_AFTER = 13;      // checkpoints (rounds): in the second epoch

    @TempDir
    Path tmp;

    static ProcessBuilder child(Path out, Path log, String... extra) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.addAll(ADD_OPENS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(CONFIG);
        cmd.add("--out");
        cmd.add(out.toString());
        cmd.addAll(Arrays.asList(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb;
    }

    static void runToEnd(Process p, Path log) throws Exception {
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("child JVM timed out; log:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), "child JVM failed; log:\n" + Files.readString(log));
    }

    static long checkpoints(Path out) throws IOException {
        Path dir = out.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().matches("checkpoint-\\d+\\.bin")).count();
        }
    }

    static double field(Path metrics, String name) throws IOException {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*([-0-9.eE]+)").matcher(Files.readString(metrics));
        assertTrue(m.find(), name + " in " + metrics);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void killedWithSigkillAndResumedEqualsUninterrupted() throws Exception {
        long began = System.nanoTime();
        Path reference = tmp.resolve("reference");
        Path referenceLog = tmp.resolve("reference.log");
        Process uninterrupted = child(reference, referenceLog).start();      // runs alongside the killed one

        Path out = tmp.resolve("killed");
        Path killedLog = tmp.resolve("killed.log");
        Process p = child(out, killedLog, "--checkpoint-every", "1", "--keep-checkpoints", "0").start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (checkpoints(out) < KILL_AFTER && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(p.isAlive(), "the run ended before it could be killed; log:\n" + Files.readString(killedLog));
        p.destroyForcibly();                                        // SIGKILL: no shutdown hooks, no cleanup
        p.waitFor(30, TimeUnit.SECONDS);
        long saved = checkpoints(out);
        assertTrue(saved >= KILL_AFTER && saved < ROUNDS, saved + " checkpoints at the kill");
        assertFalse(Files.exists(out.resolve("model.scnn")), "the killed run had already finished");

        Path resumedLog = tmp.resolve("resumed.log");
        runToEnd(child(out, resumedLog, "--checkpoint-every", "1", "--keep-checkpoints", "0", "--resume").start(),
                resumedLog);
        runToEnd(uninterrupted, referenceLog);
        assertTrue(Files.readString(resumedLog).contains("resuming from round"), Files.readString(resumedLog));

        assertArrayEquals(Files.readAllBytes(reference.resolve("model.scnn")), Files.readAllBytes(out.resolve("model.scnn")),
                "model.scnn differs from the uninterrupted run's");
        for (String f : new String[]{"accuracy", "loss", "rounds", "trainExamples"}) {
            assertEquals(field(reference.resolve("metrics.json"), f), field(out.resolve("metrics.json"), f), f);
        }
        Object epochs = MetricsReport.parse(Files.readAllBytes(out.resolve("metrics.json"))).get("epochMetrics");
        assertEquals(MetricsReport.parse(Files.readAllBytes(reference.resolve("metrics.json"))).get("epochMetrics"),
                epochs, "per-epoch test metrics");
        assertEquals(3, ((List<?>) epochs).size(), "epochMetrics: " + epochs);
        List<String> rows = Files.readAllLines(out.resolve("rounds.csv"));
        assertEquals(ROUNDS + 1, rows.size(), "rounds.csv: header and one row per round");
        for (int r = 0; r < ROUNDS; r++) {
            assertTrue(rows.get(r + 1).startsWith(r + ","), "row " + r + ": " + rows.get(r + 1));
        }
        System.out.printf("kill after %d checkpoints and resume: %.1f s for three child JVMs%n", saved,
                (System.nanoTime() - began) / 1e9);
    }
}
