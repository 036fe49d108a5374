package org.sparkcnn.spark.io;

import org.sparkcnn.core.io.MalformedFileException;
import org.sparkcnn.spark.TrainingState;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * A training checkpoint: the {@link TrainingState} (next epoch and round, global round and iteration,
 * parameters, optimizer state), the resolved configuration it was made under, and the run's history so far (the
 * test evaluations made before it, as JSON, so a resumed run's metrics.json lists them too). The data order and
 * dropout masks are pure functions of the run seed and (epoch, worker, batch), so the position in the run is their
 * whole random state.
 *
 * <p>Format (big-endian): magic "SCNNCKPT", int version 2, int n + n bytes UTF-8 configuration, int epoch,
 * int round, int globalRound, long iteration, int P + P float32 parameters, int S (state vectors), S × (int L +
 * L float32), int h + h bytes UTF-8 history, then a CRC-32 (long) of everything before it. Version 1 (no history)
 * is still read. Written atomically by {@link Storage#write}.
 */
public record Checkpoint(String configuration, TrainingState state, String history) {
    private static final byte[] MAGIC = "SCNNCKPT".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 2;

    /** A checkpoint without history. */
    public Checkpoint(String configuration, TrainingState state) {
        this(configuration, state, "{}");
    }

    public byte[] toBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(VERSION);
        byte[] conf = configuration.getBytes(StandardCharsets.UTF_8);
        out.writeInt(conf.length);
        out.write(conf);
        out.writeInt(state.epoch());
        out.writeInt(state.round());
        out.writeInt(state.globalRound());
        out.writeLong(state.iteration());
        writeFloats(out, state.params());
        out.writeInt(state.states().length);
        for (float[] s : state.states()) {
            writeFloats(out, s);
        }
        byte[] hist = history.getBytes(StandardCharsets.UTF_8);
        out.writeInt(hist.length);
        out.write(hist);
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    /**
     * Parses a checkpoint. A bad magic, version or checksum, a length beyond the bytes that follow it, a file that
     * ends early or has bytes after its last field is a {@link MalformedFileException} naming {@code name}.
     */
    public static Checkpoint fromBytes(byte[] b, String name) throws IOException {
        if (b.length < MAGIC.length + 12 || !Arrays.equals(Arrays.copyOf(b, MAGIC.length), MAGIC)) {
            throw new MalformedFileException(name, "not a spark-cnn checkpoint");
        }
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 8);
        long stored = java.nio.ByteBuffer.wrap(b, b.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new MalformedFileException(name, "checkpoint checksum mismatch (corrupt or truncated)");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(b, MAGIC.length, b.length - MAGIC.length - 8));
        try {
            int version = in.readInt();
            if (version != 1 && version != VERSION) {
                throw new MalformedFileException(name, "unsupported checkpoint version " + version);
            }
            String conf = new String(readBytes(in, 1, name), StandardCharsets.UTF_8);
            int epoch = in.readInt();
            int round = in.readInt();
            int globalRound = in.readInt();
            long iteration = in.readLong();
            float[] params = readFloats(in, name);
            float[][] states = new float[length(in, 4, name)][];
            for (int i = 0; i < states.length; i++) {
                states[i] = readFloats(in, name);
            }
            String history = version == 1 ? "{}" : new String(readBytes(in, 1, name), StandardCharsets.UTF_8);
            if (in.available() > 0) {
                throw new MalformedFileException(name, in.available() + " bytes after the checkpoint's last field");
            }
            return new Checkpoint(conf, new TrainingState(epoch, round, globalRound, iteration, params, states),
                    history);
        } catch (EOFException e) {
            throw new MalformedFileException(name, "truncated checkpoint (it ends before its last field)");
        }
    }

    /**
     * Refuses a checkpoint that does not fit the run resuming from it: {@code paramCount} parameters,
     * {@code stateVectors} optimizer-state vectors of {@code stateLength} each, a position inside {@code epochs}
     * epochs. The message names the file and the length that disagrees.
     */
    public void checkFits(long paramCount, int stateVectors, long stateLength, int epochs, String name)
            throws MalformedFileException {
        TrainingState s = state;
        if (s.params().length != paramCount) {
            throw new MalformedFileException(name, "checkpoint has " + s.params().length + " parameters, the model "
                    + "has " + paramCount);
        }
        if (s.states().length != stateVectors) {
            throw new MalformedFileException(name, "checkpoint has " + s.states().length + " optimizer-state vectors, "
                    + "the run needs " + stateVectors);
        }
        for (int i = 0; i < stateVectors; i++) {
            if (s.states()[i].length != stateLength) {
                throw new MalformedFileException(name, "optimizer-state vector " + i + " has " + s.states()[i].length
                        + " values, the run needs " + stateLength);
            }
        }
        if (s.epoch() < 0 || s.epoch() > epochs || s.round() < 0 || s.globalRound() < 0 || s.iteration() < 0) {
            throw new MalformedFileException(name, "checkpoint position (epoch " + s.epoch() + ", round " + s.round()
                    + ", global round " + s.globalRound() + ", iteration " + s.iteration() + ") is outside a run of "
                    + epochs + " epochs");
        }
    }

    /** A length field that must not exceed what is left: {@code unit} bytes per element. */
    private static int length(DataInputStream in, int unit, String name) throws IOException {
        int n = in.readInt();
        if (n < 0 || (long) n * unit > in.available()) {
            throw new MalformedFileException(name, "checkpoint has an impossible length " + n + " (" + in.available()
                    + " bytes left)");
        }
        return n;
    }

    private static byte[] readBytes(DataInputStream in, int unit, String name) throws IOException {
        byte[] v = new byte[length(in, unit, name)];
        in.readFully(v);
        return v;
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(v.length * 4);
        buf.asFloatBuffer().put(v);
        out.write(buf.array());
    }

    private static float[] readFloats(DataInputStream in, String name) throws IOException {
        int n = length(in, 4, name);
        byte[] raw = new byte[n * 4];
        in.readFully(raw);
        float[] v = new float[n];
        java.nio.ByteBuffer.wrap(raw).asFloatBuffer().get(v);
        return v;
    }

    /** File name of the checkpoint taken after {@code globalRound} rounds; names sort in round order. */
    public static String fileName(int globalRound) {
        return String.format("checkpoint-%09d.bin", globalRound);
    }
}
