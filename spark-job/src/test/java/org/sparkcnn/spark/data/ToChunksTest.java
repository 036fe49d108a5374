package org.sparkcnn.spark.data;

import org.junit.jupiter.api.Test;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.train.DataOrder;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reshuffle's two sides without Spark: source chunks cut into parts by target chunk ({@link Shards.ToChunkParts}),
 * then each shard's parts, sorted by key as Spark's shuffle hands them over, assembled into its chunks
 * ({@link Shards.ToChunks}) — every example at its layout position, and nothing lost or repeated silently.
 */
class ToChunksTest {
    static final Shape SHAPE = new Shape(1, 2, 2);
    static final int N = 23;
    static final int SHARDS = 3;
    static final int PER = 4;

    /** Source example i: label i % 10, pixels {1, 2, 3, i}. */
    static ExampleChunk source(int from, int to) {
        int m = to - from;
        int[] index = new int[m];
        byte[] labels = new byte[m];
        byte[] pixels = new byte[m * SHAPE.size()];
        for (int j = 0; j < m; j++) {
            index[j] = from + j;
            labels[j] = (byte) ((from + j) % 10);
            System.arraycopy(new byte[]{1, 2, 3, (byte) (from + j)}, 0, pixels, j * 4, 4);
        }
        return new ExampleChunk(index, new ImageArray(pixels, labels, SHAPE));
    }

    /** The parts of the source read in chunks of 5, sorted by key (target chunk), as one list. */
    static List<Tuple2<Long, Tuple2<int[], ExampleChunk>>> parts(Layout layout) throws Exception {
        Shards.ToChunkParts cut = new Shards.ToChunkParts(layout, SHARDS, PER);
        List<Tuple2<Long, Tuple2<int[], ExampleChunk>>> all = new ArrayList<>();
        for (int from = 0; from < N; from += 5) {
            cut.call(source(from, Math.min(N, from + 5))).forEachRemaining(all::add);
        }
        all.sort(Comparator.comparing(Tuple2::_1));
        return all;
    }

    static List<Tuple2<Long, Tuple2<int[], ExampleChunk>>> ofShard(List<Tuple2<Long, Tuple2<int[], ExampleChunk>>>
                                                                           all, int w) {
        return all.stream().filter(t -> DataOrder.shardOf(t._1(), N, SHARDS) == w).toList();
    }

    @Test
    void everyExampleLandsAtItsLayoutPositionInChunksOfItsShard() throws Exception {
        Layout layout = Layout.shuffled(N, 7, 1);
        var all = parts(layout);
        assertTrue(all.size() < N, all.size() + " shuffle records for " + N + " examples");
        int[] atPosition = new int[N];
        for (int w = 0; w < SHARDS; w++) {
            Iterator<ExampleChunk> chunks = new Shards.ToChunks(SHAPE, N, SHARDS, PER).call(ofShard(all, w).iterator());
            int p = DataOrder.shardStart(N, SHARDS, w);
            while (chunks.hasNext()) {
                ExampleChunk c = chunks.next();
                assertTrue(c.index().length <= PER);
                for (int j = 0; j < c.index().length; j++) {
                    int i = c.index()[j];
                    assertEquals(i % 10, c.images().label(j));
                    assertArrayEquals(new byte[]{1, 2, 3, (byte) i},
                            java.util.Arrays.copyOfRange(c.images().pixels(), j * 4, j * 4 + 4));
                    atPosition[p++] = i;
                }
            }
            assertEquals(DataOrder.shardStart(N, SHARDS, w + 1), p, "shard " + w + " ends where the next starts");
        }
        var permutation = layout.permutation();
        for (int i = 0; i < N; i++) {
            assertEquals(i, atPosition[(int) permutation.apply(i)], "source example " + i);
        }
    }

    @Test
    void theSourceOrderLaysShardsOutAsRead() throws Exception {
        var all = parts(Layout.sourceOrder(N));
        Iterator<ExampleChunk> chunks = new Shards.ToChunks(SHAPE, N, SHARDS, PER).call(ofShard(all, 1).iterator());
        assertArrayEquals(new int[]{7, 8, 9, 10}, chunks.next().index());
        assertArrayEquals(new int[]{11, 12, 13, 14}, chunks.next().index());     // shard 1 is positions [7, 15)
        assertFalse(chunks.hasNext());
    }

    @Test
    void aRepeatedOrMissingExampleIsRefused() throws Exception {
        var shard0 = ofShard(parts(Layout.sourceOrder(N)), 0);
        List<Tuple2<Long, Tuple2<int[], ExampleChunk>>> repeated = new ArrayList<>(shard0);
        repeated.add(1, shard0.get(0));
        List<Tuple2<Long, Tuple2<int[], ExampleChunk>>> missing = new ArrayList<>(shard0);
        Tuple2<int[], ExampleChunk> first = shard0.get(0)._2();
        missing.set(0, new Tuple2<>(shard0.get(0)._1(), new Tuple2<>(new int[]{first._1()[0]},
                new ExampleChunk(new int[]{first._2().index()[0]}, new ImageArray(new byte[4], new byte[1], SHAPE)))));
        List<Tuple2<Long, Tuple2<int[], ExampleChunk>>> chunkLost = new ArrayList<>(shard0.subList(1, shard0.size()));
        for (var bad : List.of(repeated, missing, chunkLost)) {
            Iterator<ExampleChunk> chunks = new Shards.ToChunks(SHAPE, N, SHARDS, PER).call(bad.iterator());
            IllegalStateException e = assertThrows(IllegalStateException.class, chunks::next);
            assertTrue(e.getMessage().contains("lost or repeated an example"), e.getMessage());
        }
    }
}
