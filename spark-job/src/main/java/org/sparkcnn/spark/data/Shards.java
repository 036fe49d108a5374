package org.sparkcnn.spark.data;

import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.storage.StorageLevel;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.data.ImageChunks;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.core.train.IndexPermutation;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * A data set held by the executors: a cached RDD with one partition per shard, each a list of {@link ExampleChunk}s
 * (1 byte per pixel, spilled to disk when memory is short). Spark schedules a task on a shard where the shard is
 * cached, and a lost shard is rebuilt from storage by the lineage (read, and for a shuffled layout one shuffle).
 */
public final class Shards {
    private final JavaRDD<ExampleChunk> rdd;
    private final Shape shape;
    private final long size;
    private final ShardSummary[] summaries;

    private Shards(JavaRDD<ExampleChunk> rdd, Shape shape, long size, ShardSummary[] summaries) {
        this.rdd = rdd;
        this.shape = shape;
        this.size = size;
        this.summaries = summaries;
    }

    /**
     * Reads {@code src} on the executors into {@code shards} cached shards laid out by {@code layout}, and returns
     * once they are cached. A source read in the source order and already cut into equal ranges is cached as read;
     * anything else goes through one Spark shuffle keyed by position.
     */
    public static Shards place(JavaSparkContext sc, ImageSource src, int shards, int classes, Layout layout) {
        return place(src, src.read(sc, shards, classes), shards, layout);
    }

    /** {@link #place}, from {@code read}: what {@code src.read} gave for {@code shards} partitions, perhaps cached. */
    static Shards place(ImageSource src, JavaRDD<ExampleChunk> read, int shards, Layout layout) {
        long n = src.size();
        JavaRDD<ExampleChunk> placed;
        if (layout.isSourceOrder() && src.aligned()) {
            placed = read;
        } else {
            int per = chunkExamples(src.shape());
            placed = read.flatMapToPair(new ToChunkParts(layout, shards, per))
                    .repartitionAndSortWithinPartitions(new ShardPartitioner(n, shards))
                    .mapPartitions(new ToChunks(src.shape(), n, shards, per), true);
        }
        placed = placed.setName(src.name() + " in " + shards + " shards" + (layout.isSourceOrder() ? ""
                : ", reshuffle " + layout.generation())).persist(StorageLevel.MEMORY_AND_DISK());
        List<ShardSummary> list = placed.mapPartitionsWithIndex(new Summarize(), true).collect();
        ShardSummary[] summaries = list.toArray(new ShardSummary[0]);
        for (int w = 0; w < shards; w++) {
            if (summaries[w].shard() != w || summaries[w].examples() != DataOrder.shardSize(n, shards, w)) {
                placed.unpersist(false);
                throw new IllegalStateException(src.name() + ": shard " + w + " holds " + summaries[w].examples()
                        + " examples, expected " + DataOrder.shardSize(n, shards, w));
            }
        }
        return new Shards(placed, src.shape(), n, summaries);
    }

    static int chunkExamples(Shape shape) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, IdxSource.CHUNK_BYTES / shape.size()));
    }

    /** The cached RDD: partition w is shard w. */
    public JavaRDD<ExampleChunk> rdd() {
        return rdd;
    }

    public Shape shape() {
        return shape;
    }

    public long size() {
        return size;
    }

    public int shards() {
        return summaries.length;
    }

    /** Examples per label over all shards (256 entries). */
    public long[] classCounts() {
        long[] total = new long[256];
        for (ShardSummary s : summaries) {
            for (int k = 0; k < total.length; k++) {
                total[k] += s.classCounts()[k];
            }
        }
        return total;
    }

    /** The number of classes the labels span: the largest label plus one. */
    public int classesSeen() {
        long[] counts = classCounts();
        for (int k = counts.length - 1; k >= 0; k--) {
            if (counts[k] > 0) {
                return k + 1;
            }
        }
        return 0;
    }

    /** Drops the cached blocks (asynchronously). */
    public void release() {
        rdd.unpersist(false);
    }

    /** A task's view of its shard: the partition's chunks as one image set. */
    public static ImageChunks view(Shape shape, scala.collection.Iterator<ExampleChunk> chunks) {
        List<ImageArray> arrays = new ArrayList<>();
        while (chunks.hasNext()) {
            arrays.add(chunks.next().images());
        }
        return new ImageChunks(shape, arrays);
    }

    /**
     * A source chunk cut by where its examples go: one record per target chunk its examples land in, keyed by that
     * chunk's first layout position, holding each example's offset in the target chunk and the examples themselves.
     * A target chunk is a run of {@code per} consecutive positions of a shard (the shard's last may be shorter), so a
     * shuffle moves a few records per pair of source and target chunks rather than one per example.
     */
    static final class ToChunkParts implements PairFlatMapFunction<ExampleChunk, Long, Tuple2<int[], ExampleChunk>> {
        private final Layout layout;
        private final int shards;
        private final int per;
        private transient IndexPermutation permutation;

        ToChunkParts(Layout layout, int shards, int per) {
            this.layout = layout;
            this.shards = shards;
            this.per = per;
        }

        @Override
        public Iterator<Tuple2<Long, Tuple2<int[], ExampleChunk>>> call(ExampleChunk c) {
            if (permutation == null && !layout.isSourceOrder()) {
                permutation = layout.permutation();
            }
            long n = layout.n();
            int m = c.index().length;
            TreeMap<Long, List<Integer>> byTarget = new TreeMap<>();
            long[] position = new long[m];
            for (int j = 0; j < m; j++) {
                long i = c.index()[j];
                position[j] = layout.isSourceOrder() ? i : permutation.apply(i);
                byTarget.computeIfAbsent(chunkStart(position[j], n, shards, per), k -> new ArrayList<>()).add(j);
            }
            ImageArray images = c.images();
            int size = images.shape().size();
            List<Tuple2<Long, Tuple2<int[], ExampleChunk>>> out = new ArrayList<>(byTarget.size());
            for (var target : byTarget.entrySet()) {
                List<Integer> js = target.getValue();
                int[] offset = new int[js.size()];
                int[] index = new int[js.size()];
                byte[] labels = new byte[js.size()];
                byte[] pixels = new byte[Math.multiplyExact(js.size(), size)];
                for (int e = 0; e < js.size(); e++) {
                    int j = js.get(e);
                    offset[e] = (int) (position[j] - target.getKey());
                    index[e] = c.index()[j];
                    labels[e] = (byte) images.label(j);
                    System.arraycopy(images.pixels(), j * size, pixels, e * size, size);
                }
                out.add(new Tuple2<>(target.getKey(),
                        new Tuple2<>(offset, new ExampleChunk(index, new ImageArray(pixels, labels, images.shape())))));
            }
            return out.iterator();
        }
    }

    /** The first position of the target chunk that holds position p: chunks of {@code per} from each shard's start. */
    static long chunkStart(long p, long n, int shards, int per) {
        int start = DataOrder.shardStart(n, shards, DataOrder.shardOf(p, n, shards));
        return start + (p - start) / per * per;
    }

    /** Position p goes to the shard whose range holds it. */
    static final class ShardPartitioner extends Partitioner {
        private final long n;
        private final int shards;

        ShardPartitioner(long n, int shards) {
            this.n = n;
            this.shards = shards;
        }

        @Override
        public int numPartitions() {
            return shards;
        }

        @Override
        public int getPartition(Object key) {
            return DataOrder.shardOf((Long) key, n, shards);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ShardPartitioner p && p.n == n && p.shards == shards;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(n) * 31 + shards;
        }
    }

    /**
     * A shard's chunk parts ({@link ToChunkParts}), sorted by their target chunk, assembled into its chunks: each
     * example put at its offset. A shard is a run of consecutive positions, each held once: a chunk out of its place,
     * a slot filled twice or left empty means a source lost or duplicated an example, which must not train silently.
     */
    static final class ToChunks implements FlatMapFunction<Iterator<Tuple2<Long, Tuple2<int[], ExampleChunk>>>,
            ExampleChunk> {
        private final Shape shape;
        private final long n;
        private final int shards;
        private final int per;

        ToChunks(Shape shape, long n, int shards, int per) {
            this.shape = shape;
            this.n = n;
            this.shards = shards;
            this.per = per;
        }

        @Override
        public Iterator<ExampleChunk> call(Iterator<Tuple2<Long, Tuple2<int[], ExampleChunk>>> parts) {
            int size = shape.size();
            return new Iterator<>() {
                Tuple2<Long, Tuple2<int[], ExampleChunk>> pending = parts.hasNext() ? parts.next() : null;
                long expected = pending == null ? -1
                        : DataOrder.shardStart(n, shards, DataOrder.shardOf(pending._1(), n, shards));

                @Override
                public boolean hasNext() {
                    return pending != null;
                }

                @Override
                public ExampleChunk next() {
                    if (pending == null) {
                        throw new NoSuchElementException();
                    }
                    long start = pending._1();
                    if (start != expected) {
                        throw lost("the chunk at layout position " + start + " follows position " + (expected - 1));
                    }
                    int w = DataOrder.shardOf(start, n, shards);
                    int count = (int) Math.min(per, DataOrder.shardStart(n, shards, w + 1) - start);
                    int[] index = new int[count];
                    Arrays.fill(index, -1);
                    byte[] labels = new byte[count];
                    byte[] pixels = new byte[Math.multiplyExact(count, size)];
                    while (pending != null && pending._1() == start) {
                        int[] offset = pending._2()._1();
                        ExampleChunk part = pending._2()._2();
                        for (int e = 0; e < offset.length; e++) {
                            int o = offset[e];
                            if (o < 0 || o >= count || index[o] >= 0) {
                                throw lost("layout position " + (start + o) + " is held " + (o < 0 || o >= count
                                        ? "outside its chunk" : "twice"));
                            }
                            index[o] = part.index()[e];
                            labels[o] = (byte) part.images().label(e);
                            System.arraycopy(part.images().pixels(), e * size, pixels, o * size, size);
                        }
                        pending = parts.hasNext() ? parts.next() : null;
                    }
                    for (int o = 0; o < count; o++) {
                        if (index[o] < 0) {
                            throw lost("layout position " + (start + o) + " is held by no example");
                        }
                    }
                    expected = start + count;
                    return new ExampleChunk(index, new ImageArray(pixels, labels, shape));
                }
            };
        }

        private static IllegalStateException lost(String what) {
            return new IllegalStateException("shard " + TaskContext.getPartitionId() + ": " + what
                    + " (the source lost or repeated an example)");
        }
    }

    /** Size and label counts of each cached shard. */
    static final class Summarize implements Function2<Integer, Iterator<ExampleChunk>, Iterator<ShardSummary>> {
        @Override
        public Iterator<ShardSummary> call(Integer shard, Iterator<ExampleChunk> chunks) {
            long examples = 0;
            long[] counts = new long[256];
            while (chunks.hasNext()) {
                ImageArray images = chunks.next().images();
                for (int j = 0; j < images.size(); j++) {
                    counts[images.label(j)]++;
                }
                examples += images.size();
            }
            return List.of(new ShardSummary(shard, examples, counts)).iterator();
        }
    }
}
