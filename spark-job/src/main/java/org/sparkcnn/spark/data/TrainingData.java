package org.sparkcnn.spark.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * The training set as the workers see it, epoch by epoch: N cached shards, globally reshuffled across the shards
 * every {@code reshuffleEvery} epochs (from epoch 0: generation g = ⌊epoch / K⌋), or never (K = 0: shard w is the
 * w-th contiguous range of the source, for data already in random order). One worker needs no reshuffle: its
 * shard is everything, permuted every epoch. Within a shard the order is permuted every epoch
 * ({@link org.sparkcnn.core.train.DataOrder#shardPermutation}).
 * <p>
 * A source that decodes as it reads ({@link ImageSource#decodesOnRead}: a gzipped file, which one task decompresses
 * whole) is read once per run when a later epoch reshuffles it again: that read stays on the executors' disks
 * ({@code DISK_ONLY}, so it takes no memory from the shards) until the run's last reshuffle, and each reshuffle
 * starts from it. Its lineage is the read alone: a lost copy is read again from the source, never rebuilt through
 * an earlier epoch's shuffle.
 */
public final class TrainingData implements AutoCloseable {
    private final JavaSparkContext sc;
    private final ImageSource source;
    private final int workers;
    private final int classes;
    private final long seed;
    private final int reshuffleEvery;
    private final int epochs;
    private JavaRDD<ExampleChunk> decoded;
    private Shards current;
    private int generation = Integer.MIN_VALUE;

    /** The training set of a run of {@code epochs} epochs. */
    public TrainingData(JavaSparkContext sc, ImageSource source, int workers, int classes, long seed,
                        int reshuffleEvery, int epochs) {
        if (reshuffleEvery < 0) {
            throw new IllegalArgumentException("reshuffle interval must be non-negative, got " + reshuffleEvery);
        }
        this.sc = sc;
        this.source = source;
        this.workers = workers;
        this.classes = classes;
        this.seed = seed;
        this.reshuffleEvery = reshuffleEvery;
        this.epochs = epochs;
    }

    public long size() {
        return source.size();
    }

    public ImageSource source() {
        return source;
    }

    /** The reshuffle generation of {@code epoch}: -1 for the source order. */
    public int generation(int epoch) {
        return reshuffleEvery == 0 || workers == 1 ? -1 : epoch / reshuffleEvery;
    }

    /** The shards for {@code epoch}, placed (read, and shuffled if due) on first use; the previous ones are dropped. */
    public Shards shardsFor(int epoch) {
        int g = generation(epoch);
        if (current == null || g != generation) {
            Layout layout = g < 0 ? Layout.sourceOrder(size()) : Layout.shuffled(size(), seed, g);
            sc.setJobDescription(g <= 0 ? "read " + source.name() : "reshuffle " + g + " of " + source.name());
            Shards next = Shards.place(source, input(g), workers, layout);
            sc.setJobDescription(null);
            if (decoded != null && g >= generation(epochs - 1)) {
                dropDecoded();                             // the run's last reshuffle is done
            }
            if (current != null) {
                current.release();
            }
            current = next;
            generation = g;
        }
        return current;
    }

    /** What generation {@code g} is placed from: the kept read, a read to keep, or a plain read. */
    private JavaRDD<ExampleChunk> input(int g) {
        if (decoded == null && source.decodesOnRead() && g >= 0 && g < generation(epochs - 1)) {
            decoded = source.read(sc, workers, classes).setName(source.name() + ", as read")
                    .persist(StorageLevel.DISK_ONLY());
        }
        return decoded != null ? decoded : source.read(sc, workers, classes);
    }

    private void dropDecoded() {
        decoded.unpersist(false);
        decoded = null;
    }

    @Override
    public void close() {
        if (decoded != null) {
            dropDecoded();
        }
        if (current != null) {
            current.release();
            current = null;
        }
    }
}
