package org.sparkcnn.spark.io;

import org.sparkcnn.spark.TrainingState;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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

    /** Parses a checkpoint; a bad magic, version, length or checksum is an IOException naming {@code name}. */
    public static Checkpoint fromBytes(byte[] b, String name) throws IOException {
        if (b.length < MAGIC.length + 12 || !Arrays.equals(Arrays.copyOf(b, MAGIC.length), MAGIC)) {
            throw new IOException(name + ": not a spark-cnn checkpoint");
        }
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 8);
        long stored = java.nio.ByteBuffer.wrap(b, b.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new IOException(name + ": checkpoint checksum mismatch (corrupt or truncated)");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(b, MAGIC.length, b.length - MAGIC.length - 8));
        int version = in.readInt();
        if (version != 1 && version != VERSION) {
            throw new IOException(name + ": unsupported checkpoint version " + version);
        }
        String conf = new String(in.readNBytes(length(in, b.length, name)), StandardCharsets.UTF_8);
        int epoch = in.readInt();
        int round = in.readInt();
        int globalRound = in.readInt();
        long iteration = in.readLong();
        float[] params = readFloats(in, b.length, name);
        float[][] states = new float[length(in, b.length, name)][];
        for (int i = 0; i < states.length; i++) {
            states[i] = readFloats(in, b.length, name);
        }
        String history = version == 1 ? "{}"
                : new String(in.readNBytes(length(in, b.length, name)), StandardCharsets.UTF_8);
        return new Checkpoint(conf, new TrainingState(epoch, round, globalRound, iteration, params, states), history);
    }

    private static int length(DataInputStream in, int limit, String name) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > limit) {
            throw new IOException(name + ": checkpoint has an impossible length " + n);
        }
        return n;
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(v.length * 4);
        buf.asFloatBuffer().put(v);
        out.write(buf.array());
    }

    private static float[] readFloats(DataInputStream in, int limit, String name) throws IOException {
        int n = length(in, limit / 4, name);
        byte[] raw = in.readNBytes(n * 4);
        float[] v = new float[n];
        java.nio.ByteBuffer.wrap(raw).asFloatBuffer().get(v);
        return v;
    }

    /** File name of the checkpoint taken after {@code globalRound} rounds; names sort in round order. */
    public static String fileName(int globalRound) {
        return String.format("checkpoint-%09d.bin", globalRound);
    }
}
