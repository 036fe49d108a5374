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

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

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
        long n = src.size();
        JavaRDD<ExampleChunk> read = src.read(sc, shards, classes);
        JavaRDD<ExampleChunk> placed;
        if (layout.isSourceOrder() && src.aligned()) {
            placed = read;
        } else {
            int per = chunkExamples(src.shape());
            placed = read.flatMapToPair(new ToPositions(layout))
                    .repartitionAndSortWithinPartitions(new ShardPartitioner(n, shards))
                    .mapPartitions(new ToChunks(src.shape(), per), true);
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

    /** Source examples as (position, [index:int32, label:byte, pixels…]) pairs, for the shuffle. */
    static final class ToPositions implements PairFlatMapFunction<ExampleChunk, Long, byte[]> {
        private final Layout layout;
        private transient IndexPermutation permutation;

        ToPositions(Layout layout) {
            this.layout = layout;
        }

        @Override
        public Iterator<Tuple2<Long, byte[]>> call(ExampleChunk c) {
            if (permutation == null && !layout.isSourceOrder()) {
                permutation = layout.permutation();
            }
            ImageArray images = c.images();
            int per = images.shape().size();
            List<Tuple2<Long, byte[]>> out = new ArrayList<>(c.index().length);
            for (int j = 0; j < c.index().length; j++) {
                long i = c.index()[j];
                byte[] record = new byte[5 + per];
                ByteBuffer.wrap(record).putInt(c.index()[j]).put((byte) images.label(j));
                System.arraycopy(images.pixels(), j * per, record, 5, per);
                out.add(new Tuple2<>(layout.isSourceOrder() ? i : permutation.apply(i), record));
            }
            return out.iterator();
        }
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

    /** A shard's records, sorted by position, regrouped into chunks of {@code per} examples. */
    static final class ToChunks implements FlatMapFunction<Iterator<Tuple2<Long, byte[]>>, ExampleChunk> {
        private final Shape shape;
        private final int per;

        ToChunks(Shape shape, int per) {
            this.shape = shape;
            this.per = per;
        }

        @Override
        public Iterator<ExampleChunk> call(Iterator<Tuple2<Long, byte[]>> records) {
            int size = shape.size();
            return new Iterator<>() {
                long nextPosition = -1;

                @Override
                public boolean hasNext() {
                    return records.hasNext();
                }

                @Override
                public ExampleChunk next() {
                    if (!records.hasNext()) {
                        throw new NoSuchElementException();
                    }
                    List<byte[]> taken = new ArrayList<>();
                    while (records.hasNext() && taken.size() < per) {
                        Tuple2<Long, byte[]> r = records.next();
                        // A shard is a run of consecutive positions: a gap or a repeat means a source lost or
                        // duplicated an example, which must not train silently.
                        if (nextPosition >= 0 && r._1() != nextPosition) {
                            throw new IllegalStateException("shard " + TaskContext.getPartitionId() + ": the example "
                                    + "at layout position " + r._1() + " follows position " + (nextPosition - 1)
                                    + " (the source lost or repeated an example)");
                        }
                        nextPosition = r._1() + 1;
                        taken.add(r._2());
                    }
                    int count = taken.size();
                    int[] index = new int[count];
                    byte[] pixels = new byte[Math.multiplyExact(count, size)];
                    byte[] labels = new byte[count];
                    for (int j = 0; j < count; j++) {
                        ByteBuffer r = ByteBuffer.wrap(taken.get(j));
                        index[j] = r.getInt();
                        labels[j] = r.get();
                        System.arraycopy(taken.get(j), 5, pixels, j * size, size);
                    }
                    return new ExampleChunk(index, new ImageArray(pixels, labels, shape));
                }
            };
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
