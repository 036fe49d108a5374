package org.sparkcnn.spark.io;

import org.junit.jupiter.api.Test;
import org.sparkcnn.core.io.MalformedFileException;
import org.sparkcnn.spark.TrainingState;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checkpoint format: a round trip with history, version-1 files still read, corruption refused. */
class CheckpointTest {
    static final TrainingState STATE = new TrainingState(1, 2, 12, 40, new float[]{1.5f, -2f, 0f},
            new float[][]{{0.25f, 0.5f, -1f}});

    @Test
    void roundTripKeepsStateConfigurationAndHistory() throws IOException {
        String history = "{\"epochMetrics\":[{\"epoch\":1,\"accuracy\":0.9,\"loss\":0.3}],\"evaluations\":[]}";
        Checkpoint back = Checkpoint.fromBytes(new Checkpoint("{\"seed\":7}", STATE, history).toBytes(), "ck");
        assertEquals("{\"seed\":7}", back.configuration());
        assertEquals(history, back.history());
        assertEquals(12, back.state().globalRound());
        assertEquals(40, back.state().iteration());
        assertArrayEquals(STATE.params(), back.state().params());
        assertArrayEquals(STATE.states()[0], back.state().states()[0]);
    }

    @Test
    void versionOneFilesAreReadWithAnEmptyHistory() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write("SCNNCKPT".getBytes(StandardCharsets.US_ASCII));
        out.writeInt(1);
        byte[] conf = "{}".getBytes(StandardCharsets.UTF_8);
        out.writeInt(conf.length);
        out.write(conf);
        out.writeInt(STATE.epoch());
        out.writeInt(STATE.round());
        out.writeInt(STATE.globalRound());
        out.writeLong(STATE.iteration());
        out.writeInt(3);
        for (float f : STATE.params()) {
            out.writeFloat(f);
        }
        out.writeInt(1);
        out.writeInt(3);
        for (float f : STATE.states()[0]) {
            out.writeFloat(f);
        }
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        Checkpoint back = Checkpoint.fromBytes(bytes.toByteArray(), "v1");
        assertEquals("{}", back.history());
        assertArrayEquals(STATE.params(), back.state().params());
        assertEquals(2, back.state().round());
    }

    @Test
    void aFlippedByteIsRefused() throws IOException {
        byte[] b = new Checkpoint("{}", STATE).toBytes();
        b[b.length / 2] ^= 1;
        IOException e = assertThrows(IOException.class, () -> Checkpoint.fromBytes(b, "ck"));
        assertEquals("ck: checkpoint checksum mismatch (corrupt or truncated)", e.getMessage());
    }

    /** {@code body} with its CRC-32 appended: a checkpoint whose checksum holds whatever its fields say. */
    static byte[] sealed(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        return java.nio.ByteBuffer.allocate(body.length + 8).put(body).putLong(crc.getValue()).array();
    }

    private static byte[] body(Checkpoint c) throws IOException {
        byte[] b = c.toBytes();
        return java.util.Arrays.copyOf(b, b.length - 8);
    }

    @Test
    void aSealedButTruncatedCheckpointIsRefused() throws IOException {
        byte[] b = body(new Checkpoint("{}", STATE));
        for (int cut : new int[]{3, 10, 20}) {
            byte[] shorter = sealed(java.util.Arrays.copyOf(b, b.length - cut));
            IOException e = assertThrows(MalformedFileException.class, () -> Checkpoint.fromBytes(shorter, "ck"));
            assertTrue(e.getMessage().startsWith("ck: "), e.getMessage());
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("impossible length"),
                    e.getMessage());
        }
        byte[] longer = sealed(java.util.Arrays.copyOf(b, b.length + 5));
        assertEquals("ck: 5 bytes after the checkpoint's last field",
                assertThrows(MalformedFileException.class, () -> Checkpoint.fromBytes(longer, "ck")).getMessage());
    }

    @Test
    void aLengthDeclaringTwoBillionFloatsIsRefusedWithoutAllocatingThem() throws IOException {
        byte[] b = body(new Checkpoint("{}", STATE));
        int paramsLength = 8 + 4 + 4 + 2 + 4 + 4 + 4 + 8;          // magic, version, "{}", positions: then P
        java.nio.ByteBuffer.wrap(b).putInt(paramsLength, Integer.MAX_VALUE / 4);
        byte[] hostile = sealed(b);
        long before = allocatedBytes();
        long start = System.nanoTime();
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> Checkpoint.fromBytes(hostile, "ck"));
        assertTrue(System.nanoTime() - start < 1_000_000_000L);
        assertTrue(allocatedBytes() - before < 1 << 20, "allocated " + (allocatedBytes() - before) + " bytes");
        assertTrue(e.getMessage().startsWith("ck: checkpoint has an impossible length 536870911"), e.getMessage());
    }

    @Test
    void aCheckpointThatDoesNotFitTheSpecIsRefusedNamingTheLength() throws IOException {
        Checkpoint c = Checkpoint.fromBytes(new Checkpoint("{}", STATE).toBytes(), "ck");
        c.checkFits(3, 1, 3, 2, "ck");
        assertEquals("ck: checkpoint has 3 parameters, the model has 4",
                assertThrows(MalformedFileException.class, () -> c.checkFits(4, 1, 3, 2, "ck")).getMessage());
        assertEquals("ck: checkpoint has 1 optimizer-state vectors, the run needs 2",
                assertThrows(MalformedFileException.class, () -> c.checkFits(3, 2, 3, 2, "ck")).getMessage());
        assertEquals("ck: optimizer-state vector 0 has 3 values, the run needs 6",
                assertThrows(MalformedFileException.class, () -> c.checkFits(3, 1, 6, 2, "ck")).getMessage());
        assertTrue(assertThrows(MalformedFileException.class, () -> c.checkFits(3, 1, 3, 0, "ck")).getMessage()
                .contains("outside a run of 0 epochs"));
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }
}
