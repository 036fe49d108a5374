package org.sparkcnn.spark.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.api.TrainingConfig;
import org.sparkcnn.spark.api.TrainingInput;
import org.sparkcnn.spark.cli.CapturedRun;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** URIs with credentials reach metrics.json, checkpoints and error lines without them. */
class RedactionTest {
    static final String S3 = "s3a://AKIAEXAMPLEKEY:wJalrXUtnFEMI@bucket/mnist";

    @Test
    void userInfoIsReplaced() {
        assertEquals("s3a://***@bucket/mnist", Redaction.uri(S3));
        assertEquals("ftp://***@host:21/a@b", Redaction.uri("ftp://me:pw@host:21/a@b"));
        assertEquals("hdfs://***@nn/x", Redaction.uri("hdfs://user@nn/x"));
        assertEquals("--data s3a://***@b/x and --out gs://***@c/y: failed",
                Redaction.text("--data s3a://k:s@b/x and --out gs://k2:s2@c/y: failed"));
    }

    @Test
    void locationsWithoutUserInfoAreKept() {
        for (String s : new String[] {"s3a://bucket/a@b", "/home/me/data", "runs/latest", "hdfs://nn:8020/x",
                "file:///tmp/x", "mailto-like a@b", "http://host/path?q=a@b"}) {
            assertEquals(s, Redaction.uri(s));
            assertEquals(s, Redaction.text(s));
        }
    }

    @Test
    void configurationAndInputNameHoldNoCredentials() {
        TrainingConfig c = TrainingConfig.builder().epochs(1).build();
        assertEquals("s3a://***@bucket/mnist", c.configuration(S3, 2, 100, "native").get("data"));
        assertEquals("s3a://***@bucket/mnist", TrainingInput.directory(S3).name());
        // two runs that differ only in their credentials have the same configuration (a resume still matches)
        assertEquals(c.configuration(S3, 2, 100, "native"),
                c.configuration("s3a://OTHERKEY:other@bucket/mnist", 2, 100, "native"));
        assertNotEquals(c.configuration(S3, 2, 100, "native"), c.configuration("s3a://bucket/other", 2, 100,
                "native"));
    }

    @Test
    void errorLinesNameTheDataWithoutCredentials(@TempDir Path tmp) {
        String data = "file://alice:hunter2@localhost" + tmp.resolve("none").toAbsolutePath();
        String err = stderrOf("train", "--data", data, "--out", tmp.resolve("out").toString(), "--epochs", "1",
                "--progress", "none");
        assertTrue(err.contains("spark-cnn: error:"), err);
        assertFalse(err.contains("hunter2"), err);
        assertFalse(err.contains("alice"), err);
    }

    static String stderrOf(String... args) {
        String text = CapturedRun.of(args).stderr();
        System.err.println(text);
        return text;
    }
}
