package org.sparkcnn.spark.data;

import org.junit.jupiter.api.Test;
import org.sparkcnn.core.Shape;
import scala.Tuple2;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shard records become chunks only as a run of consecutive layout positions. */
class ToChunksTest {
    static final Shape SHAPE = new Shape(1, 2, 2);

    /** A shuffled record: source index, label, pixels. */
    static Tuple2<Long, byte[]> record(long position, int index) {
        ByteBuffer b = ByteBuffer.allocate(5 + SHAPE.size());
        b.putInt(index).put((byte) (index % 10)).put(new byte[]{1, 2, 3, (byte) index});
        return new Tuple2<>(position, b.array());
    }

    @Test
    void consecutivePositionsMakeChunks() {
        Iterator<ExampleChunk> chunks = new Shards.ToChunks(SHAPE, 2).call(
                List.of(record(4, 40), record(5, 51), record(6, 62)).iterator());
        ExampleChunk first = chunks.next();
        assertArrayEquals(new int[]{40, 51}, first.index());
        assertArrayEquals(new int[]{62}, chunks.next().index());
        assertTrue(!chunks.hasNext());
    }

    @Test
    void aRepeatedOrMissingPositionIsRefused() {
        for (List<Tuple2<Long, byte[]>> bad : List.of(List.of(record(4, 40), record(4, 40), record(5, 51)),
                List.of(record(4, 40), record(6, 62)))) {
            Iterator<ExampleChunk> chunks = new Shards.ToChunks(SHAPE, 8).call(bad.iterator());
            IllegalStateException e = assertThrows(IllegalStateException.class, chunks::next);
            assertTrue(e.getMessage().contains("lost or repeated an example"), e.getMessage());
        }
        assertEquals(1, new Shards.ToChunks(SHAPE, 8).call(List.of(record(9, 1)).iterator()).next().index().length);
    }
}
