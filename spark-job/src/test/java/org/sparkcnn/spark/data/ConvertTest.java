package org.sparkcnn.spark.data;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.spark.LocalSpark;
import org.sparkcnn.spark.cli.CapturedRun;
import org.sparkcnn.spark.cli.Main;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spark-cnn convert} writes Parquet that {@link Sources#open} reads back as exactly the IDX examples, in the
 * same order (so both give the same shards, hence the same model); OUT appears whole or not at all.
 */
class ConvertTest {
    static final String SAMPLE = "../data/mnist-sample";
    static final Shape MNIST = new Shape(1, 28, 28);

    @TempDir
    Path tmp;

    @Test
    void theConvertedSampleReadsBackAsTheIdxExamplesInOrder() throws Exception {
        Path out = tmp.resolve("mnist.parquet");
        assertEquals(0, Main.run("convert", "--data", SAMPLE, "--out", out.toString(), "--master", "local[2]",
                "--workers", "2"));
        // a plain IDX set is read in 3 ranges and written as 3 files
        Shape shape = new Shape(3, 4, 5);
        Path plain = Files.createDirectory(tmp.resolve("plain"));
        ShardContents.writeIdx(plain, ShardContents.random(101, shape, 10, 1), true, false);
        ShardContents.writeIdx(plain, ShardContents.random(23, shape, 10, 2), false, false);
        Path plainOut = tmp.resolve("plain.parquet");
        assertEquals(0, Main.run("convert", "--data", plain.toString(), "--out", plainOut.toString(), "--master",
                "local[2]", "--workers", "3"));
        try (Stream<Path> files = Files.list(plainOut.resolve("train"))) {
            assertEquals(3, files.filter(f -> f.toString().endsWith(".parquet")).count());
        }
        assertEquals(List.of("mnist.parquet", "plain", "plain.parquet"), names(tmp));

        try (JavaSparkContext sc = LocalSpark.start("local[2]")) {
            for (boolean train : new boolean[] {true, false}) {
                assertSame(sc, SAMPLE, out.toString(), train, 0, MNIST, 3);
                assertSame(sc, SAMPLE, out.toString(), train, 100, MNIST, 2);
                assertSame(sc, plain.toString(), plainOut.toString(), train, 0, shape, 4);
            }
            NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Sources.open(sc,
                    tmp.toString(), true, 0, MNIST));
            assertEquals(tmp + ": holds neither IDX files train-images-idx3-ubyte[.gz] (or "
                    + "train-images-idx4-ubyte[.gz]) and train-labels-idx1-ubyte[.gz] nor a Parquet directory train/ "
                    + "(spark-cnn convert writes train/ and test/)", e.getMessage());
            NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Sources.open(sc,
                    tmp.resolve("nowhere").toString(), false, 0, MNIST));
            assertEquals(tmp.resolve("nowhere") + ": no such directory; expected IDX files t10k-images-idx3-ubyte[.gz] "
                    + "(or t10k-images-idx4-ubyte[.gz]) and t10k-labels-idx1-ubyte[.gz] or a Parquet directory test/ "
                    + "(spark-cnn convert writes train/ and test/)", missing.getMessage());
            IllegalArgumentException wrongShape = assertThrows(IllegalArgumentException.class, () ->
                    Sources.open(sc, out.toString(), true, 0, new Shape(3, 28, 28)));
            assertEquals("--data " + out + " (training set): images are 1x28x28 (column image) but the model "
                    + "expects 3x28x28 (channels x height x width)", wrongShape.getMessage());
        }
    }

    /** Training on the converted Parquet gives the model that training on the IDX files gives, byte for byte. */
    @Test
    void trainingOnTheConvertedSetGivesTheIdxModel() throws Exception {
        Path parquet = tmp.resolve("sample.parquet");
        assertEquals(0, Main.run("convert", "--data", SAMPLE, "--out", parquet.toString(), "--master", "local[2]",
                "--workers", "2"));
        for (String data : List.of(SAMPLE, parquet.toString())) {
            String name = data.equals(SAMPLE) ? "idx" : "parquet";
            assertEquals(0, Main.run("train", "--data", data, "--model", "conv5x5x4,maxpool2,dense16:relu,softmax10",
                    "--workers", "2", "--master", "local[2]", "--train-limit", "1200", "--test-limit", "300",
                    "--batch", "32", "--local-steps", "3", "--epochs", "2", "--progress", "none",
                    "--out", tmp.resolve(name).toString()));
        }
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("idx/model.scnn")),
                Files.readAllBytes(tmp.resolve("parquet/model.scnn"))), "IDX and Parquet models differ");
        assertEquals(0, Main.run("evaluate", "--model", tmp.resolve("idx/model.scnn").toString(), "--data",
                parquet.toString(), "--master", "local[2]", "--workers", "2", "--out", tmp.resolve("eval").toString()));
        assertTrue(Files.exists(tmp.resolve("eval/metrics.json")));
    }

    /** Reads part {@code train} of both directories and compares the shards, in source order and reshuffled. */
    static void assertSame(JavaSparkContext sc, String idxDir, String parquetDir, boolean train, long limit,
                           Shape shape, int shards) throws Exception {
        ImageSource idx = Sources.open(sc, idxDir, train, limit, shape);
        ImageSource parquet = Sources.open(sc, parquetDir, train, limit, shape);
        assertInstanceOf(IdxSource.class, idx);
        assertInstanceOf(RowSource.class, parquet);
        assertEquals(idx.size(), parquet.size());
        for (Layout layout : List.of(Layout.sourceOrder(idx.size()), Layout.shuffled(idx.size(), 9, 2))) {
            ShardContents a = ShardContents.place(sc, idx, shards, 10, layout);
            ShardContents b = ShardContents.place(sc, parquet, shards, 10, layout);
            assertEquals(idx.size(), b.examples());
            assertTrue(b.sameAs(a), parquetDir + " " + (train ? "train" : "test") + " limit " + limit + " " + layout);
        }
    }

    @Test
    void anExistingOutIsRefusedAndAFailedConversionLeavesNothing() throws Exception {
        Path out = Files.createDirectory(tmp.resolve("taken"));
        Outcome taken = run("convert", "--data", SAMPLE, "--out", out.toString(), "--master", "local[1]",
                "--workers", "1");
        assertEquals(2, taken.code);
        assertEquals(List.of("spark-cnn: error: --out " + out + " exists; convert writes a new directory"),
                taken.lines);

        // the test images end early: the headers pass on the driver, the executor that streams them fails
        Path data = Files.createDirectory(tmp.resolve("broken"));
        ImageArray test = ShardContents.random(50, new Shape(1, 6, 6), 10, 3);
        ShardContents.writeIdx(data, ShardContents.random(40, new Shape(1, 6, 6), 10, 4), true, false);
        ShardContents.writeIdx(data, test, false, true);
        Path images = data.resolve("t10k-images-idx4-ubyte.gz");
        byte[] all = Files.readAllBytes(images);
        ByteArrayOutputStream cut = new ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(cut)) {
            byte[] raw = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(all)).readAllBytes();
            gz.write(raw, 0, raw.length - 100);
        }
        Files.write(images, cut.toByteArray());
        Outcome broken = run("convert", "--data", data.toString(), "--out", tmp.resolve("new").toString(),
                "--master", "local[1]", "--workers", "1");
        assertEquals(2, broken.code);
        assertEquals(1, broken.lines.size(), broken.lines.toString());
        assertTrue(broken.lines.get(0).contains("t10k-images-idx4-ubyte.gz: truncated"), broken.lines.get(0));
        assertEquals(List.of("broken", "taken"), names(tmp));
    }

    record Outcome(int code, List<String> lines) { }

    /** Runs the command line with stderr captured: the lines it prints itself (Spark's log lines aside). */
    static Outcome run(String... args) {
        CapturedRun r = CapturedRun.of(args);
        return new Outcome(r.code(), r.stderr().lines().filter(l -> l.startsWith("spark-cnn")).toList());
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
