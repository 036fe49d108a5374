package org.sparkcnn.spark.cli;

import org.apache.spark.SparkException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.IdxFormatException;
import org.sparkcnn.core.io.MalformedFileException;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.core.train.LocalTrainer;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Exit codes: 2 bad input, 3 diverged, 4 an I/O failure that is not about the input, 1 an internal error; each
 * with its one line. The classification of exceptions as they arrive (bare, or wrapped by Spark and by unchecked
 * I/O), and one command line for each code end to end.
 */
class ExitCodeTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void warmUp() {
        BadInputTest.warmUp();
    }

    private static void assertFailure(int code, String message, Throwable e) {
        Failure f = Failure.of(e, true);
        assertEquals(code, f.code(), f.message());
        assertEquals(message, f.message());
    }

    private static SparkException jobFailure(Throwable cause) {
        return new SparkException("Job aborted due to stage failure: Task 0 in stage 1.0 failed 1 times", cause);
    }

    @Test
    void badInputIsTwo() {
        assertFailure(2, "--batch: must be positive", new IllegalArgumentException("--batch: must be positive"));
        assertFailure(2, "d/x-idx3: bad magic", jobFailure(new IdxFormatException("d/x-idx3", "bad magic")));
        assertFailure(2, "m.scnn: truncated", new UncheckedIOException(new MalformedFileException("m.scnn", "truncated")));
        assertFailure(2, "no such file: data/train", new NoSuchFileException("data/train"));
        assertFailure(2, "File file:/d/x does not exist", new FileNotFoundException("File file:/d/x does not exist"));
        assertFailure(2, "--out: names a file", new UserError("--out: names a file"));
    }

    @Test
    void divergedIsThree() {
        assertFailure(3, "loss is NaN at iteration 7 (--lr)", jobFailure(new LocalTrainer.DivergedException(
                "loss is NaN at iteration 7")));
        assertFailure(3, "loss is NaN (--lr)", new SparkException(
                "Job aborted: org.sparkcnn.core.train.LocalTrainer$DivergedException: loss is NaN\n\tat ..."));
    }

    @Test
    void anIoFailureThatIsNotAboutTheInputIsFour() {
        assertFailure(4, "I/O failure: /out/model.scnn: permission denied",
                new AccessDeniedException("/out/model.scnn"));
        assertFailure(4, "I/O failure: /out/.model.scnn.tmp: No space left on device",
                new FileSystemException("/out/.model.scnn.tmp", null, "No space left on device"));
        assertFailure(4, "I/O failure: /out/m (Permission denied)", new FileNotFoundException("/out/m (Permission denied)"));
        assertFailure(4, "I/O failure: cannot write checkpoint to /out/checkpoints: disk quota exceeded",
                new UncheckedIOException("cannot write checkpoint to /out/checkpoints: disk quota exceeded",
                        new IOException("disk quota exceeded")));
        assertFailure(4, "I/O failure: Connection reset by peer",
                jobFailure(new UncheckedIOException(new IOException("Connection reset by peer"))));
    }

    @Test
    void aBugIsOneAndNeverBadInput() {
        assertFailure(1, "internal error: IllegalStateException: round 3 ran twice",
                new IllegalStateException("round 3 ran twice"));
        assertFailure(1, "internal error: NullPointerException: null", jobFailure(new NullPointerException()));
        // a bug that happened while handling bad input is still a bug
        assertFailure(1, "internal error: IllegalStateException: lost the spec",
                new IllegalStateException("lost the spec", new IllegalArgumentException("bad token")));
        assertFailure(1, "internal error: InvalidClassException: filter status: REJECTED",
                jobFailure(new java.io.InvalidClassException("filter status: REJECTED")));
        assertEquals("internal error: IllegalStateException: x (run with --verbose for the stack trace)",
                Failure.of(new IllegalStateException("x"), false).message());
    }

    // --- end to end ---------------------------------------------------------------------------------------------

    private Path savedModel() throws IOException {
        ModelSpec spec = Presets.resolve(BadInputTest.MODEL);
        Path f = tmp.resolve("model.scnn");
        ModelFile.save(f, spec, new Network(spec).initialize(1).params());
        return f;
    }

    @Test
    void evaluateOnAFullDiskIsFour() throws IOException {
        Path out = tmp.resolve("eval");
        BadInputTest.Outcome o = BadInputTest.run("evaluate", "--model", savedModel().toString(), "--data",
                BadInputTest.SAMPLE, "--out", FullDiskFileSystem.SCHEME + "://" + out,
                "--conf", "spark.hadoop.fs." + FullDiskFileSystem.SCHEME + ".impl=" + FullDiskFileSystem.class.getName(),
                "--conf", "spark.hadoop.fs." + FullDiskFileSystem.SCHEME + ".impl.disable.cache=true");
        BadInputTest.assertRefused(o, 4, out, "I/O failure", "No space left on device", "metrics.json");
        assertFalse(o.line().contains("bad input"), o.line());
    }

    @Test
    void aMissingDataDirectoryIsTwo() throws IOException {
        Path out = tmp.resolve("eval");
        BadInputTest.Outcome o = BadInputTest.run("evaluate", "--model", savedModel().toString(), "--data",
                tmp.resolve("nowhere").toString(), "--out", out.toString());
        BadInputTest.assertRefused(o, 2, out, "nowhere");
    }
}
