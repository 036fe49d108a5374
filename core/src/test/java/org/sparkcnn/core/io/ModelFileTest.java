package org.sparkcnn.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Round trips and every refusal of the model file format. */
class ModelFileTest {
    private static final ModelSpec SPEC = ModelSpec.parse(
            "input1x12x12,conv3x3x4:same:tanh:bias0.1,avgpool2,dropout0.25,dense7:sigmoid:he,softmax3");

    @TempDir
    Path dir;

    private static INDArray params(ModelSpec spec) {
        return new Network(spec, DataType.FLOAT).initialize(42).params();
    }

    @Test
    void roundTripKeepsSpecAndBitIdenticalParameters() throws IOException {
        for (ModelSpec spec : new ModelSpec[] {SPEC, ModelSpec.parse(Presets.LENET)}) {
            INDArray p = params(spec);
            Path file = dir.resolve("model.bin");
            ModelFile.save(file, spec, p);
            ModelFile.Model m = ModelFile.load(file);
            assertEquals(spec, m.spec());
            assertEquals(DataType.FLOAT, m.params().dataType());
            assertEquals(spec.paramCount(), m.params().length());
            assertArrayEquals(bits(p.toFloatVector()), bits(m.params().toFloatVector()));
            assertEquals(24 + spec.toText().getBytes(StandardCharsets.UTF_8).length + 4 * spec.paramCount() + 4,
                    Files.size(file));
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "the temporary file must be renamed away");
        }
    }

    @Test
    void savingReplacesAnExistingModelAndConvertsDoubleParameters() throws IOException {
        Path file = dir.resolve("m.bin");
        ModelFile.save(file, ModelSpec.parse(Presets.LENET), params(ModelSpec.parse(Presets.LENET)));
        INDArray p = new Network(SPEC, DataType.DOUBLE).initialize(3).params();
        ModelFile.save(file, SPEC, p);
        ModelFile.Model m = ModelFile.load(file);
        assertEquals(SPEC, m.spec());
        assertArrayEquals(p.toFloatVector(), m.params().toFloatVector());
    }

    @Test
    void streamVariantsReadExactlyOneModel() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelFile.writeTo(out, SPEC, params(SPEC));
        out.write(new byte[] {1, 2, 3});
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals(SPEC, ModelFile.readFrom(in, "stream").spec());
        assertEquals(3, in.available());
    }

    @Test
    void refusesWrongParameterCountOnSave() {
        assertThrows(IllegalArgumentException.class,
                () -> ModelFile.save(dir.resolve("x.bin"), SPEC, params(ModelSpec.parse(Presets.LENET))));
    }

    @Test
    void refusesFlippedByteAsChecksumMismatch() throws IOException {
        byte[] b = bytes();
        for (int at : new int[] {20, b.length / 2, b.length - 6}) {   // in the spec text, a weight, the last bias
            byte[] c = b.clone();
            c[at] ^= 0x10;
            assertRefused(c, "checksum mismatch");
        }
        byte[] c = b.clone();
        c[b.length - 1] ^= 1;   // the checksum itself
        assertRefused(c, "checksum mismatch");
    }

    @Test
    void refusesTruncatedFiles() throws IOException {
        byte[] b = bytes();
        for (int len : new int[] {10, 14, 30, b.length / 2, b.length - 1}) {
            assertRefused(Arrays.copyOf(b, len), "truncated");
        }
    }

    @Test
    void refusesOtherVersions() throws IOException {
        byte[] b = bytes();
        ByteBuffer.wrap(b).putInt(8, 2);
        assertRefused(b, "unsupported model file version 2");
    }

    @Test
    void refusesGarbageAndEmptyFiles() throws IOException {
        assertRefused("hello, this is not a model\n".getBytes(StandardCharsets.UTF_8), "not a spark-cnn model file");
        assertRefused(new byte[0], "not a spark-cnn model file");
        byte[] extra = Arrays.copyOf(bytes(), bytes().length + 1);
        assertRefused(extra, "unexpected data after the checksum");
    }

    @Test
    void refusesAParameterCountThatDisagreesWithTheSpec() throws IOException {
        // A well-formed file (valid checksum) whose spec text says 5 classes while the parameters are for 3.
        ModelSpec other = ModelSpec.parse(SPEC.toText().replace("softmax3", "softmax5"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelFile.writeTo(out, other, params(other));
        byte[] b = out.toByteArray();
        String text = other.toText();
        int textBytes = text.getBytes(StandardCharsets.UTF_8).length;
        long wrongCount = SPEC.paramCount();
        ByteArrayOutputStream forged = new ByteArrayOutputStream();
        forged.write(b, 0, 16 + textBytes);
        forged.write(ByteBuffer.allocate(8).putLong(wrongCount).array());
        forged.write(new byte[(int) (4 * wrongCount)]);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(forged.toByteArray());
        forged.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        assertRefused(forged.toByteArray(), "parameter count " + wrongCount + " disagrees with the spec");
    }

    private byte[] bytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelFile.writeTo(out, SPEC, params(SPEC));
        return out.toByteArray();
    }

    private void assertRefused(byte[] content, String fault) throws IOException {
        Path file = dir.resolve("bad.bin");
        Files.write(file, content);
        IOException e = assertThrows(IOException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fault), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
