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
        return new Network(spec).initialize(42).params();
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
        INDArray p = new Network(SPEC).initialize(3).params().castTo(DataType.DOUBLE);
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
    void refusesAFlippedByteAsChecksumMismatchOrBadSpec() throws IOException {
        byte[] b = bytes();
        for (int at : new int[] {b.length / 2, b.length - 6}) {   // a weight, the last bias
            byte[] c = b.clone();
            c[at] ^= 0x10;
            assertRefused(c, "checksum mismatch");
        }
        // the spec is checked before the parameters are read, so before the checksum can be
        byte[] spec = b.clone();
        spec[20] ^= 0x10;
        assertRefused(spec, "bad spec 'inpud1x12x12,");
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

    /** The first bytes of a model file for {@code specText}: magic, version, spec and the count it implies. */
    static byte[] headerDeclaring(String specText, long count) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(b);
        d.write(ModelFile.MAGIC);
        d.writeInt(ModelFile.VERSION);
        byte[] text = specText.getBytes(StandardCharsets.UTF_8);
        d.writeInt(text.length);
        d.write(text);
        d.writeLong(count);
        return b.toByteArray();
    }

    @Test
    void refusesASpecWithHugeActivationsBeforeReadingParameters() throws IOException {
        // 1000 filters on 1000x1000: 10^9 activations for one example (4 GB), under 100 bytes of file
        String text = "input1x1000x1000,conv1x1x1000,maxpool1000,softmax10";
        long count = ModelSpec.parse(text).paramCount();
        assertRefused(headerDeclaring(text, count), "more than the limit of 1.0 GiB (-Dsparkcnn.maxModelBytes");
    }

    @Test
    void refusesASpecWithHugeParametersBeforeReadingThem() throws IOException {
        String text = "input1x28x28,dense1000000,softmax10";            // 7.8e8 weights: 3.2 GB
        assertRefused(headerDeclaring(text, ModelSpec.parse(text).paramCount()), "parameters and one example's");
    }

    @Test
    void refusesAShapeWhoseSizeOverflowsAnInt() throws IOException {
        assertRefused(headerDeclaring("input1x100000x100000,softmax10", 0),
                "shape 1x100000x100000 has more than 2147483639 values");
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
