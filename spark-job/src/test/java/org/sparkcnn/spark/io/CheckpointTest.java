package org.sparkcnn.spark.io;

import org.junit.jupiter.api.Test;
import org.sparkcnn.spark.TrainingState;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
