package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.io.ModelFile;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every invalid input ends with exactly one line on stderr that names the problem and the file or option, exit
 * code 2 (3 for divergence), and no metrics.json or model.scnn in --out.
 */
class BadInputTest {
    static final String MODEL = "conv5x5x4,maxpool2,dense16:relu,softmax10";
    static final String SAMPLE = "../data/mnist-sample";

    @TempDir
    Path tmp;

    /** Loads log4j and ND4J before stderr is captured, so their one-time start-up lines are not counted. */
    @BeforeAll
    static void warmUp() {
        org.apache.logging.log4j.LogManager.getRootLogger();
        new Network(Presets.resolve(MODEL));
    }

    record Outcome(int code, List<String> lines) {
        String line() {
            return lines.isEmpty() ? "" : lines.get(0);
        }
    }

    /** Runs the command line in-process with stderr captured. */
    static Outcome run(String... args) {
        CapturedRun r = CapturedRun.of(args);
        List<String> lines = new ArrayList<>();
        for (String l : r.stderr().split("\n")) {
            if (!l.isBlank()) {
                lines.add(l);
            }
        }
        System.err.println("[" + String.join(" | ", args) + "] -> " + r.code() + ": " + lines);
        return new Outcome(r.code(), lines);
    }

    /** Asserts one line naming {@code names}, exit code {@code code}, and nothing written to {@code out}. */
    static void assertRefused(Outcome o, int code, Path out, String... names) {
        assertEquals(1, o.lines().size(), "stderr lines: " + o.lines());
        assertTrue(o.line().startsWith("spark-cnn: error: "), o.line());
        for (String name : names) {
            assertTrue(o.line().contains(name), "'" + o.line() + "' should name " + name);
        }
        assertEquals(code, o.code(), o.line());
        assertFalse(Files.exists(out.resolve("metrics.json")), "metrics.json written");
        assertFalse(Files.exists(out.resolve("model.scnn")), "model.scnn written");
    }

    private Outcome train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", MODEL, "--workers", "1", "--epochs", "1",
                "--progress", "none", "--out", out.toString()));
        args.addAll(Arrays.asList(extra));
        return run(args.toArray(new String[0]));
    }

    // --- IDX fixtures -------------------------------------------------------------------------------------------

    static byte[] images(int magic, int count, int rows, int cols, int pixelBytes) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        out.write(new byte[pixelBytes]);
        return b.toByteArray();
    }

    static byte[] labels(int magic, byte... values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(magic);
        out.writeInt(values.length);
        out.write(values);
        return b.toByteArray();
    }

    /** A data directory of {@code n} blank images of {@code size}×{@code size} in both the training and test set. */
    Path dataDir(String name, int n, int size) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        for (String set : new String[]{"train", "t10k"}) {
            Files.write(d.resolve(set + "-images-idx3-ubyte"), images(2051, n, size, size, n * size * size));
            Files.write(d.resolve(set + "-labels-idx1-ubyte"), labels(2049, new byte[n]));
        }
        return d;
    }

    // --- data ---------------------------------------------------------------------------------------------------

    /** spark-job alone (the job jar) has no extensions: the dl4j-spark engine lives in another module. */
    @Test
    void dl4jSparkEngineWithoutItsModule() {
        Path out = tmp.resolve("out");
        boolean spark4 = !org.apache.spark.package$.MODULE$.SPARK_VERSION().startsWith("3.");
        assertRefused(train(out, "--engine", "dl4j-spark"), 2, out, "--engine dl4j-spark",
                spark4 ? "needs the Spark 3.5 build" : "dl4j-spark module", "SPARK_CNN_SPARK=3.5");
    }

    @Test
    void exportWithoutTheToolsModule() {
        Path out = tmp.resolve("out");
        assertRefused(run("export", "--model", "m.scnn", "--out", out.resolve("m.zip").toString()), 2, out,
                "export is in the spark-cnn-tools module", "scripts/spark-cnn export");
    }

    @Test
    void unknownEngine() {
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--engine", "turbo"), 2, out, "--engine", "turbo");
    }

    @Test
    void missingDataDirectory() {
        Path out = tmp.resolve("out");
        String missing = tmp.resolve("no-such-dir").toString();
        assertRefused(train(out, "--data", missing), 2, out, "--data", missing);
    }

    @Test
    void truncatedIdx() throws IOException {
        Path d = dataDir("truncated", 8, 28);
        Path f = d.resolve("train-images-idx3-ubyte");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length - 100));
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--data", d.toString()), 2, out, f.toString(), "truncated");
    }

    @Test
    void gzippedIdxWithBytesAfterItsLastRecord() throws IOException {
        Path d = dataDir("trailing", 8, 28);
        Path plain = d.resolve("train-images-idx3-ubyte");
        Path f = d.resolve("train-images-idx3-ubyte.gz");
        try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(f))) {
            gz.write(Files.readAllBytes(plain));
            gz.write(new byte[100]);                        // not announced by the header's count
        }
        Files.delete(plain);
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--data", d.toString()), 2, out, f.toString(), "bytes after its last record");
    }

    @Test
    void badMagic() throws IOException {
        Path d = dataDir("magic", 8, 28);
        Path f = d.resolve("train-labels-idx1-ubyte");
        Files.write(f, labels(0x12345678, new byte[8]));
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--data", d.toString()), 2, out, f.toString(), "magic");
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path d = dataDir("labels", 8, 28);
        Path f = d.resolve("train-labels-idx1-ubyte");
        Files.write(f, labels(2049, (byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 10, (byte) 5, (byte) 6, (byte) 7));
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--data", d.toString()), 2, out, f.toString(), "label 10");
    }

    @Test
    void labelAtLeastTheModelsClassesNamesFileAndRow() throws IOException {
        Path d = org.sparkcnn.spark.PatternImages.write(tmp.resolve("twelve"), 60, 20, 3);
        Path f = d.resolve("train-labels-idx1-ubyte");
        byte[] b = Files.readAllBytes(f);
        b[8 + 37] = 12;
        Files.write(f, b);
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--data", d.toString(), "--model", org.sparkcnn.spark.PatternImages.MODEL,
                "--workers", "2"), 2, out, f.toString(), "label 12 at row 37", "12 classes");
    }

    @Test
    void modelWithMoreOutputsThanTheDataHasClasses() {
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--data", SAMPLE, "--model", "conv5x5x4,maxpool2,softmax12", "--train-limit", "500"),
                2, out, "--data", "0..9 (10 classes)", "12 units", "--model");
    }

    @Test
    void fewerExamplesThanWorkers() throws IOException {
        Path d = dataDir("tiny", 3, 28);
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--data", d.toString(), "--workers", "4"), 2, out, "3 examples", "4 workers");
    }

    @Test
    void multiChannelImagesForAOneChannelModel() throws IOException {
        Path d = org.sparkcnn.spark.PatternImages.write(tmp.resolve("rgb"), 20, 10, 3);
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--data", d.toString()), 2, out, "--data " + d, "3x16x16", "1x28x28");
    }

    @Test
    void imagesOfTheWrongSizeForTheModel() throws IOException {
        Path d = dataDir("wide", 8, 32);
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--data", d.toString()), 2, out, "--data " + d, "32x32");
    }

    /**
     * 2,700,000 images of 28x28 are 2.1 GB: under the array limit, so only the check of the header against the
     * file's length refuses them. The driver reads the header on this thread, and this thread's allocation counter
     * (which a GC cannot lower) must stay far below what reading the data would take.
     */
    @Test
    void headerClaimingTwoGigabytesOfImagesIsRefusedWithoutAllocatingThem() throws IOException {
        Path d = dataDir("hostile", 8, 28);
        Path f = d.resolve("train-images-idx3-ubyte");
        Files.write(f, images(2051, 2_700_000, 28, 28, 0));
        Path out = tmp.resolve("out");
        long before = BoundedInputTest.allocatedBytes();
        assertRefused(train(out, "--data", d.toString()), 2, out, f.toString(), "truncated", "2116800016 bytes");
        long allocated = BoundedInputTest.allocatedBytes() - before;
        System.err.println("the refusal allocated " + allocated + " bytes on this thread");
        assertTrue(allocated < 512L << 20, "the refusal allocated " + allocated + " bytes");
    }

    // --- options ------------------------------------------------------------------------------------------------

    @Test
    void unknownOption() {
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--frobnicate", "3"), 2, out, "--frobnicate");
    }

    @Test
    void badModelToken() {
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--model", "conv5x5x4,maxpul2,softmax10"), 2, out, "--model", "maxpul2");
    }

    @Test
    void unknownUpdater() {
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--updater", "adagrad"), 2, out, "--updater", "adagrad");
    }

    @Test
    void negativeBatch() {
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--batch", "-5"), 2, out, "--batch");
    }

    @Test
    void unknownKeyInConfigFile() throws IOException {
        Path conf = tmp.resolve("train.properties");
        Files.writeString(conf, "epochs = 1\nlearning-rate = 0.1\n");
        Path out = tmp.resolve("out");
        assertRefused(train(out, "--config", conf.toString()), 2, out, conf.toString(), "learning-rate");
    }

    // --- model and checkpoint files -----------------------------------------------------------------------------

    private Path savedModel() throws IOException {
        ModelSpec spec = Presets.resolve(MODEL);
        Path f = tmp.resolve("model.scnn");
        ModelFile.save(f, spec, new Network(spec).initialize(1).params());
        return f;
    }

    @Test
    void corruptModelFileForEvaluate() throws IOException {
        Path f = savedModel();
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x10;
        Files.write(f, b);
        Path out = tmp.resolve("eval");
        Outcome o = run("evaluate", "--model", f.toString(), "--data", SAMPLE, "--out", out.toString());
        assertRefused(o, 2, out, "--model", f.toString(), "checksum");
    }

    @Test
    void modelFileOfAnotherVersionForEvaluate() throws IOException {
        Path f = savedModel();
        byte[] b = Files.readAllBytes(f);
        b[11] = 2;                                                  // the int version after the 8-byte magic
        Files.write(f, b);
        Path out = tmp.resolve("eval");
        Outcome o = run("evaluate", "--model", f.toString(), "--data", SAMPLE, "--out", out.toString());
        assertRefused(o, 2, out, f.toString(), "version 2");
    }

    @Test
    void corruptCheckpointOnResume() throws IOException {
        Path d = dataDir("ok", 64, 28);
        Path out = tmp.resolve("out");
        Path ck = Files.createDirectories(out.resolve("checkpoints")).resolve("checkpoint-000000003.bin");
        byte[] junk = new byte[200];
        System.arraycopy("SCNNCKPT".getBytes(StandardCharsets.US_ASCII), 0, junk, 0, 8);
        Files.write(ck, junk);
        assertRefused(train(out, "--data", d.toString(), "--resume"), 2, out, ck.toString(), "checksum");
    }

    @Test
    void checkpointWithTooFewParametersOnResume() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, train(out, "--data", SAMPLE, "--train-limit", "256", "--test-limit", "100", "--batch", "32",
                "--max-rounds", "2", "--checkpoint-every", "1").code());
        Path ck = out.resolve("checkpoints").resolve(org.sparkcnn.spark.io.Checkpoint.fileName(2));
        var good = org.sparkcnn.spark.io.Checkpoint.fromBytes(Files.readAllBytes(ck), ck.toString());
        var s = good.state();
        var shorter = new org.sparkcnn.spark.TrainingState(s.epoch(), s.round(), s.globalRound(), s.iteration(),
                Arrays.copyOf(s.params(), s.params().length - 1), s.states());
        Files.write(ck, new org.sparkcnn.spark.io.Checkpoint(good.configuration(), shorter, good.history()).toBytes());
        Files.delete(out.resolve("metrics.json"));
        Files.delete(out.resolve("model.scnn"));
        assertRefused(train(out, "--data", SAMPLE, "--train-limit", "256", "--test-limit", "100", "--batch", "32",
                "--max-rounds", "2", "--checkpoint-every", "1", "--resume"), 2, out, ck.toString(),
                "checkpoint has " + (s.params().length - 1) + " parameters, the model has " + s.params().length);
    }

    // --- divergence ---------------------------------------------------------------------------------------------

    @Test
    void divergenceEndsWithExitCodeThree() {
        Path out = tmp.resolve("out");
        Outcome o = train(out, "--data", SAMPLE, "--train-limit", "512", "--test-limit", "100", "--batch", "32",
                "--lr", "1e6", "--updater", "sgd", "--local-steps", "2", "--workers", "2");
        assertRefused(o, 3, out, "diverge", "--lr");
        // it diverges within the first epoch, before the epoch-end checkpoint
        assertFalse(Files.exists(out.resolve("checkpoints")), "checkpoint written for a diverged run");
    }
}
