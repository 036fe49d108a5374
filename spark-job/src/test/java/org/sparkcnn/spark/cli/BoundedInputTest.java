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
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile files that are small but declare something huge are refused from what they declare, before anything of
 * that size is allocated: one line, exit code 2, well under a second, and (measured on this thread, which is where
 * the command reads them) far fewer bytes allocated than the declared size.
 */
class BoundedInputTest {
    static final String MODEL = "conv5x5x4,maxpool2,dense16:relu,softmax10";

    @TempDir
    Path tmp;

    @BeforeAll
    static void warmUp() {
        BadInputTest.warmUp();
    }

    /** The outcome of {@code command}, checked to take under a second and to allocate under {@code maxBytes}. */
    static BadInputTest.Outcome bounded(long maxBytes, Supplier<BadInputTest.Outcome> command) {
        long before = allocatedBytes();
        long start = System.nanoTime();
        BadInputTest.Outcome o = command.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        long allocated = allocatedBytes() - before;
        assertTrue(seconds < 1, "the refusal took " + seconds + " s");
        assertTrue(allocated < maxBytes, "the refusal allocated " + allocated + " bytes");
        return o;
    }

    /** Bytes this thread has allocated on the heap so far (HotSpot's per-thread counter: a GC cannot lower it). */
    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private Path savedModel() throws IOException {
        ModelSpec spec = Presets.resolve(MODEL);
        Path f = tmp.resolve("model.scnn");
        ModelFile.save(f, spec, new Network(spec).initialize(1).params());
        return f;
    }

    /** A valid grayscale PNG header declaring {@code width}×{@code height}, then a few bytes of image data. */
    static byte[] pngDeclaring(int width, int height) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[]{8, 0, 0, 0, 0});                       // 8-bit gray, deflate, no filter, no interlace
        chunk(b, "IHDR", ihdr.toByteArray());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            z.write(new byte[1000]);
        }
        chunk(b, "IDAT", idat.toByteArray());
        chunk(b, "IEND", new byte[0]);
        return b.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        d.writeInt((int) crc.getValue());
    }

    @Test
    void pngDeclaringTenBillionPixelsIsRefusedFromItsHeader() throws IOException {
        Path model = savedModel();
        Path png = tmp.resolve("huge.png");
        Files.write(png, pngDeclaring(100_000, 100_000));
        assertTrue(Files.size(png) < 200);
        Path out = tmp.resolve("none");
        // decoding would need 10^10 bytes for the pixels alone
        BadInputTest.Outcome o = bounded(64L << 20, () -> BadInputTest.run("predict", "--model", model.toString(),
                png.toString()));
        BadInputTest.assertRefused(o, 2, out, png.toString(), "100000x100000", "28x28");
    }

    @Test
    void modelFileDeclaringFourGigabytesOfActivationsIsRefusedFromItsSpec() throws IOException {
        String text = "input1x1000x1000,conv1x1x1000,maxpool1000,softmax10";   // 10^9 activations per example
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.write(ModelFile.MAGIC);
        d.writeInt(ModelFile.VERSION);
        d.writeInt(text.length());
        d.write(text.getBytes(StandardCharsets.US_ASCII));
        d.writeLong(ModelSpec.parse(text).paramCount());
        Path model = tmp.resolve("huge.scnn");
        Files.write(model, b.toByteArray());
        Path png = tmp.resolve("digit.png");
        Files.write(png, pngDeclaring(28, 28));
        BadInputTest.Outcome o = bounded(64L << 20, () -> BadInputTest.run("predict", "--model", model.toString(),
                png.toString()));
        BadInputTest.assertRefused(o, 2, tmp.resolve("none"), "--model " + model, "3.7 GiB",
                "-Dsparkcnn.maxModelBytes");
    }

    @Test
    void trainingASpecAboveTheLimitIsRefusedNamingModel() {
        Path out = tmp.resolve("out");
        BadInputTest.Outcome o = bounded(256L << 20, () -> BadInputTest.run("train", "--model",
                "input1x28x28,dense1000000,softmax10", "--data", BadInputTest.SAMPLE, "--out", out.toString()));
        BadInputTest.assertRefused(o, 2, out, "--model", "3.0 GiB", "-Dsparkcnn.maxModelBytes");
    }

    @Test
    void gzippedIdxExpandingFarBeyondItsHeaderIsRefusedAtTheHeadersSize() throws IOException {
        Path model = savedModel();
        Path bomb = tmp.resolve("bomb-images-idx3-ubyte.gz");
        try (DataOutputStream d = new DataOutputStream(new java.util.zip.GZIPOutputStream(Files.newOutputStream(bomb))
                { { def.setLevel(Deflater.BEST_SPEED); } })) {
            d.writeInt(2051);
            d.writeInt(10);                                           // ten 28x28 images: 7,840 bytes
            d.writeInt(28);
            d.writeInt(28);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 512; i++) {                           // then 512 MiB
                d.write(zeros);
            }
        }
        assertTrue(Files.size(bomb) < 4 << 20, "the bomb is " + Files.size(bomb) + " bytes");
        BadInputTest.Outcome o = bounded(16L << 20, () -> BadInputTest.run("predict", "--model", model.toString(),
                bomb.toString()));
        BadInputTest.assertRefused(o, 2, tmp.resolve("none"), bomb.toString(),
                "trailing bytes after the 7840 data bytes the header implies");
    }
}
