package org.sparkcnn.spark.data;

import org.apache.spark.api.java.JavaSparkContext;

/**
 * The training set as the workers see it, epoch by epoch: N cached shards, globally reshuffled across the shards
 * every {@code reshuffleEvery} epochs (from epoch 0: generation g = ⌊epoch / K⌋), or never (K = 0: shard w is the
 * w-th contiguous range of the source, for data already in random order). One worker needs no reshuffle: its
 * shard is everything, permuted every epoch. Within a shard the order is permuted every epoch
 * ({@link org.sparkcnn.core.train.DataOrder#shardPermutation}).
 */
public final class TrainingData implements AutoCloseable {
    private final JavaSparkContext sc;
    private final ImageSource source;
    private final int workers;
    private final int classes;
    private final long seed;
    private final int reshuffleEvery;
    private Shards current;
    private int generation = Integer.MIN_VALUE;

    public TrainingData(JavaSparkContext sc, ImageSource source, int workers, int classes, long seed,
                        int reshuffleEvery) {
        if (reshuffleEvery < 0) {
            throw new IllegalArgumentException("reshuffle interval must be non-negative, got " + reshuffleEvery);
        }
        this.sc = sc;
        this.source = source;
        this.workers = workers;
        this.classes = classes;
        this.seed = seed;
        this.reshuffleEvery = reshuffleEvery;
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
            Shards next = Shards.place(sc, source, workers, classes, layout);
            sc.setJobDescription(null);
            if (current != null) {
                current.release();
            }
            current = next;
            generation = g;
        }
        return current;
    }

    @Override
    public void close() {
        if (current != null) {
            current.release();
            current = null;
        }
    }
}
