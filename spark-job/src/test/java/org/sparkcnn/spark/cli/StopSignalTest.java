package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.io.Checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A training run sent SIGTERM mid-training (a child JVM, as a cluster manager would stop it) ends within seconds
 * with exit code 143 and one line on stderr that says so and names the checkpoint a {@code --resume} continues
 * from: no internal error, no Spark stack trace, and every file in --out whole.
 */
class StopSignalTest {
    @TempDir
    Path tmp;

    @Test
    void sigtermStopsTrainingWithOneLineAndExitCode143() throws Exception {
        Path out = tmp.resolve("run");
        Path stderr = tmp.resolve("stderr.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.addAll(ResumeAfterKillTest.ADD_OPENS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(ResumeAfterKillTest.CONFIG);
        cmd.addAll(List.of("--out", out.toString(), "--checkpoint-every", "1"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile())
                .redirectOutput(tmp.resolve("stdout.log").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (ResumeAfterKillTest.checkpoints(out) < 2 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(p.isAlive(), "the run ended before it could be stopped; stderr:\n" + Files.readString(stderr));
        long sent = System.nanoTime();
        p.destroy();                                                 // SIGTERM
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the run did not stop within 30 s of SIGTERM; stderr:\n" + Files.readString(stderr));
        }
        double seconds = (System.nanoTime() - sent) / 1e9;
        String err = Files.readString(stderr);
        assertEquals(143, p.exitValue(), "exit code; stderr:\n" + err);
        List<String> ours = err.lines().filter(l -> l.startsWith("spark-cnn:")).toList();
        assertEquals(1, ours.size(), "one line of ours; stderr:\n" + err);
        assertFalse(err.contains("internal error"), err);
        assertFalse(err.contains("Exception"), err);

        Matcher named = Pattern.compile("spark-cnn: stopped by SIGTERM; run the same command \\(same --out\\) with "
                + "--resume to continue from the last checkpoint, after round (\\d+) \\((.*checkpoint-\\d+\\.bin)\\)")
                .matcher(ours.get(0));
        assertTrue(named.matches(), ours.get(0));
        Path last = Path.of(named.group(2));
        Checkpoint ck = Checkpoint.fromBytes(Files.readAllBytes(last), last.toString());
        assertEquals(Integer.parseInt(named.group(1)), ck.state().globalRound(), "the round the line names");
        try (Stream<Path> files = Files.list(out.resolve("checkpoints"))) {
            for (Path f : files.toList()) {
                assertTrue(f.getFileName().toString().matches("checkpoint-\\d+\\.bin"), "left behind: " + f);
                Checkpoint c = Checkpoint.fromBytes(Files.readAllBytes(f), f.toString());
                assertTrue(c.state().globalRound() <= ck.state().globalRound(), f + " is newer than the named one");
            }
        }
        assertFalse(Files.exists(out.resolve("model.scnn")), "the stopped run wrote a model");
        System.out.printf("SIGTERM after %d checkpoints: exit %d after %.1f s (under load)%n",
                ResumeAfterKillTest.checkpoints(out), p.exitValue(), seconds);
    }
}
