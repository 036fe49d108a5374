package org.sparkcnn.core.train;

import java.util.SplittableRandom;

/**
 * The order in which training examples are visited. The n examples are laid out in {@code workers} contiguous
 * shards whose sizes differ by at most one example (positions [shardStart(w), shardStart(w+1))); every epoch each
 * worker visits its shard in a fresh seeded permutation of it. With one worker the shard is the whole set and its
 * order is {@link #permutation}, the single-process order, which is what makes a 1-worker Spark run equal plain SGD.
 * Which example sits at which position is the layout ({@link IndexPermutation} for a global reshuffle).
 */
public final class DataOrder {
    private DataOrder() { }

    /** The single-process order of epoch {@code epoch}: shard 0's permutation of all n examples. */
    public static int[] permutation(int n, long seed, int epoch) {
        return shardPermutation(n, seed, epoch, 0);
    }

    /**
     * A uniformly random permutation of 0..size-1 (Fisher–Yates), determined by (seed, epoch, worker): the order in
     * which worker {@code worker} visits the {@code size} examples of its shard in epoch {@code epoch}.
     */
    public static int[] shardPermutation(int size, long seed, int epoch, int worker) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, 0x5EED, epoch, worker));
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Start of shard {@code w} of {@code workers} over n examples (shard w is [start(w), start(w+1))). */
    public static int shardStart(long n, int workers, int w) {
        return (int) (n * w / workers);
    }

    /** The shard holding position {@code p} of n: the largest w with shardStart(n, workers, w) &lt;= p. */
    public static int shardOf(long p, long n, int workers) {
        // shardStart(w) <= p  <=>  n·w < (p+1)·workers  <=>  w <= ((p+1)·workers - 1) / n
        return (int) (((p + 1) * workers - 1) / n);
    }

    /** Examples in shard w. */
    public static int shardSize(long n, int workers, int w) {
        return shardStart(n, workers, w + 1) - shardStart(n, workers, w);
    }

    /** Number of minibatches of size {@code batch} in a shard of {@code size} examples (the last may be short). */
    public static int batches(int size, int batch) {
        return (size + batch - 1) / batch;
    }
}
