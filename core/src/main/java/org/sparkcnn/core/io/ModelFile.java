package org.sparkcnn.core.io;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelMemory;
import org.sparkcnn.core.ModelSpec;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The model file: a model's spec and its flat parameter vector in a small, versioned binary format with a checksum.
 * It is not Java serialization, so it stays readable across class changes and by other languages.
 *
 * <p>Layout, all integers and floats big-endian (Java's {@link DataOutputStream} order):
 * <pre>
 *   offset  size      field
 *   0       8         magic, the ASCII bytes "SPARKCNN"
 *   8       4         int format version, currently 1
 *   12      4         int L, length in bytes of the spec text
 *   16      L         the spec text, UTF-8: {@link ModelSpec#toText()}, re-read with {@link ModelSpec#parse(String)}
 *   16+L    8         long P, the parameter count; must equal the spec's {@link ModelSpec#paramCount()}
 *   24+L    4·P       the parameters as IEEE-754 float32, in the flat layer-by-layer order of
 *                     {@link org.sparkcnn.core.Network} (each layer's weights, then its biases)
 *   24+L+4P 4         CRC-32 ({@link CRC32}) of every preceding byte, magic included, as an unsigned int
 * </pre>
 *
 * <p>Reading refuses, with a {@link MalformedFileException} whose one-line message names the file and the fault: a file
 * that does not start with the magic (not a model file), another format version, a spec that does not parse or
 * whose parameters and activations exceed {@link ModelMemory#limit()}, a parameter count that disagrees with the
 * spec (these three before any parameter is read), a file that ends early (truncated) or a checksum mismatch
 * (corrupt). {@link #save} writes a temporary file in the target's directory, forces it to disk and renames it into
 * place atomically, so a crash leaves either the old model or the new one, never half of one.
 */
public final class ModelFile {
    /** The first eight bytes of every model file. */
    public static final byte[] MAGIC = "SPARKCNN".getBytes(StandardCharsets.US_ASCII);
    /** The format version this class writes and the only one it reads. */
    public static final int VERSION = 1;

    /** Longest accepted spec text; a larger length field means a damaged file. */
    private static final int MAX_SPEC_BYTES = 1 << 20;
    /** Floats per read or write chunk. */
    private static final int CHUNK = 1 << 14;

    private ModelFile() { }

    /** A loaded model: its spec and its parameters, a FLOAT vector of length {@code spec.paramCount()}. */
    public record Model(ModelSpec spec, INDArray params) { }

    /**
     * Writes {@code spec} and {@code params} (any data type, converted to float32; length spec.paramCount())
     * to {@code file} atomically: a temporary file in the same directory is written, synced and renamed over it.
     */
    public static void save(Path file, ModelSpec spec, INDArray params) throws IOException {
        Path target = file.toAbsolutePath();
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(Channels.newOutputStream(ch), spec, params);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads the model in {@code file}; refuses a damaged or foreign file with a one-line MalformedFileException. */
    public static Model load(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            Model model = readFrom(in, file.toString());
            if (in.read() != -1) {
                throw fault(file.toString(), "not a model file (unexpected data after the checksum)");
            }
            return model;
        }
    }

    /** Writes the model file format to {@code out}, which is flushed but not closed. */
    public static void writeTo(OutputStream out, ModelSpec spec, INDArray params) throws IOException {
        long count = spec.paramCount();
        if (params.length() != count) {
            throw new IllegalArgumentException("the spec has " + count + " parameters but the vector has "
                    + params.length());
        }
        float[] values = params.reshape(params.length()).toFloatVector();
        byte[] text = spec.toText().getBytes(StandardCharsets.UTF_8);
        BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
        CRC32 crc = new CRC32();
        DataOutputStream data = new DataOutputStream(new CheckedOutputStream(buffered, crc));
        data.write(MAGIC);
        data.writeInt(VERSION);
        data.writeInt(text.length);
        data.write(text);
        data.writeLong(count);
        ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK).order(ByteOrder.BIG_ENDIAN);
        for (int from = 0; from < values.length; from += CHUNK) {
            int n = Math.min(CHUNK, values.length - from);
            chunk.clear();
            chunk.asFloatBuffer().put(values, from, n);
            data.write(chunk.array(), 0, 4 * n);
        }
        data.flush();
        new DataOutputStream(buffered).writeInt((int) crc.getValue());
        buffered.flush();
    }

    /**
     * Reads one model from {@code in}, consuming exactly its bytes. {@code name} (a path or URI) names the source
     * in error messages.
     */
    public static Model readFrom(InputStream in, String name) throws IOException {
        CRC32 crc = new CRC32();
        DataInputStream data = new DataInputStream(new CheckedInputStream(in, crc));
        try {
            byte[] magic = new byte[MAGIC.length];
            int got = data.readNBytes(magic, 0, magic.length);
            if (got < magic.length || !Arrays.equals(magic, MAGIC)) {
                throw fault(name, "not a spark-cnn model file (no SPARKCNN magic)");
            }
            int version = data.readInt();
            if (version != VERSION) {
                throw fault(name, "unsupported model file version " + version + " (this build reads version "
                        + VERSION + ")");
            }
            int textBytes = data.readInt();
            if (textBytes < 0 || textBytes > MAX_SPEC_BYTES) {
                throw fault(name, "corrupt (spec text length " + textBytes + ")");
            }
            byte[] text = new byte[textBytes];
            data.readFully(text);
            ModelSpec spec = parseSpec(name, text);
            long count = data.readLong();
            if (spec.paramCount() != count) {
                throw fault(name, "parameter count " + count + " disagrees with the spec, which has "
                        + spec.paramCount());
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw fault(name, "corrupt (parameter count " + count + ")");
            }
            float[] values = readFloats(data, (int) count);
            int expected = (int) crc.getValue();
            int stored = new DataInputStream(in).readInt();
            if (stored != expected) {
                throw fault(name, String.format("checksum mismatch, the file is corrupt (stored CRC-32 %08x, "
                        + "computed %08x)", stored, expected));
            }
            return new Model(spec, Nd4j.createFromArray(values));
        } catch (EOFException e) {
            throw fault(name, "truncated (the file ends before the model does)");
        }
    }

    /** Reads {@code count} big-endian floats, growing the array only as data arrives (a damaged count cannot
     *  allocate more than the stream holds). */
    private static float[] readFloats(DataInputStream data, int count) throws IOException {
        float[] values = new float[Math.min(count, CHUNK)];
        byte[] bytes = new byte[4 * CHUNK];
        ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        for (int from = 0; from < count; from += CHUNK) {
            int n = Math.min(CHUNK, count - from);
            data.readFully(bytes, 0, 4 * n);
            if (values.length < from + n) {
                values = Arrays.copyOf(values, (int) Math.min(count, 2L * values.length + n));
            }
            view.clear();
            view.asFloatBuffer().get(values, from, n);
        }
        return values;
    }

    private static ModelSpec parseSpec(String name, byte[] text) throws IOException {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(text)).toString();
        } catch (CharacterCodingException e) {
            throw fault(name, "corrupt (the spec text is not UTF-8)");
        }
        ModelSpec spec;
        try {
            spec = ModelSpec.parse(s);
        } catch (IllegalArgumentException e) {
            throw fault(name, "bad spec '" + s + "': " + e.getMessage());
        }
        try {
            ModelMemory.check(spec);
        } catch (IllegalArgumentException e) {
            throw fault(name, e.getMessage());
        }
        return spec;
    }

    private static MalformedFileException fault(String name, String what) {
        return new MalformedFileException(name, what);
    }
}
