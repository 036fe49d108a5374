package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.core.BlasKernel;
import org.sparkcnn.spark.io.Checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task cores and the BLAS kernel are recorded with a run's configuration; a resume under other ones is refused
 * with one line (exit 2) unless --allow-different-hardware, and a resume under the same ones goes on.
 */
class HardwareResumeTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void warmUp() {
        BadInputTest.warmUp();
        BlasKernel.describe();
    }

    /** Two rounds with a checkpoint after each, on {@code cores} cores per task. */
    private static BadInputTest.Outcome train(Path out, int cores, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", BadInputTest.MODEL, "--master", "local[2]",
                "--conf", "spark.task.cpus=" + cores, "--workers", "1", "--epochs", "1", "--progress", "none",
                "--data", BadInputTest.SAMPLE, "--train-limit", "256", "--test-limit", "100", "--batch", "32",
                "--max-rounds", "2", "--checkpoint-every", "1", "--out", out.toString()));
        args.addAll(Arrays.asList(extra));
        return BadInputTest.run(args.toArray(new String[0]));
    }

    /** A finished run of {@code cores} task cores, with its outputs removed so that only the checkpoints remain. */
    private Path checkpointed(int cores) throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, train(out, cores).code());
        String conf = Files.readString(out.resolve("metrics.json")).replace(" : ", ":");
        assertTrue(conf.contains("\"taskCores\":" + cores), conf);
        assertTrue(conf.contains("\"blas\":\"" + BlasKernel.describe() + "\""), conf);
        assertTrue(BlasKernel.describe().matches("OPENBLAS \\S+, kernel \\S+, oneDNN"), BlasKernel.describe());
        Checkpoint ck = Checkpoint.fromBytes(Files.readAllBytes(newest(out)), "ck");
        assertTrue(ck.configuration().contains("\"taskCores\":" + cores), ck.configuration());
        Files.delete(out.resolve("metrics.json"));
        Files.delete(out.resolve("model.scnn"));
        return out;
    }

    private static Path newest(Path out) {
        return out.resolve("checkpoints").resolve(Checkpoint.fileName(2));
    }

    @Test
    void sameHardwareResumes() throws IOException {
        Path out = checkpointed(1);
        assertEquals(0, train(out, 1, "--resume").code());
        assertTrue(Files.exists(out.resolve("model.scnn")));
    }

    @Test
    void otherTaskCoresAreRefused() throws IOException {
        Path out = checkpointed(1);
        BadInputTest.Outcome o = train(out, 2, "--resume");
        BadInputTest.assertRefused(o, 2, out, "--resume", "task cores 1", "this run has task cores 2",
                "--allow-different-hardware");
    }

    @Test
    void otherKernelIsRefused() throws IOException {
        Path out = checkpointed(1);
        Path f = newest(out);
        Checkpoint ck = Checkpoint.fromBytes(Files.readAllBytes(f), f.toString());
        String other = ck.configuration().replace(", kernel ", ", kernel Other");
        Files.write(f, new Checkpoint(other, ck.state(), ck.history()).toBytes());
        BadInputTest.assertRefused(train(out, 1, "--resume"), 2, out, "--resume", "kernel Other",
                "--allow-different-hardware");
    }

    @Test
    void theFlagAllowsOtherTaskCores() throws IOException {
        Path out = checkpointed(1);
        BadInputTest.Outcome o = train(out, 2, "--resume", "--allow-different-hardware");
        assertEquals(0, o.code(), o.lines().toString());
        assertTrue(o.lines().stream().anyMatch(l -> l.contains("no longer bit-identical")), o.lines().toString());
        assertTrue(Files.readString(out.resolve("metrics.json")).replace(" : ", ":").contains("\"taskCores\":2"));
    }

    @Test
    void otherSettingsAreStillAConfigurationMismatch() throws IOException {
        Path out = checkpointed(1);
        BadInputTest.Outcome o = train(out, 1, "--resume", "--lr", "0.5", "--allow-different-hardware");
        assertEquals(2, o.code(), o.lines().toString());
        assertFalse(Files.exists(out.resolve("metrics.json")));
        assertTrue(o.line().contains("different configuration"), o.line());
    }
}
