package org.sparkcnn.core.train;

import java.util.SplittableRandom;

/**
 * The order in which training examples are visited: a fresh seeded permutation of all n examples every epoch,
 * cut into {@code workers} contiguous shards whose sizes differ by at most one example. With one worker this is
 * exactly the single-process order, which is what makes a 1-worker Spark run equal plain SGD.
 */
public final class DataOrder {
    private DataOrder() { }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates), determined by (seed, epoch). */
    public static int[] permutation(int n, long seed, int epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, 0x5EED, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Start of shard {@code w} of {@code workers} over n examples (shard w is [start(w), start(w+1))). */
    public static int shardStart(int n, int workers, int w) {
        return (int) ((long) n * w / workers);
    }

    /** Number of minibatches of size {@code batch} in a shard of {@code size} examples (the last may be short). */
    public static int batches(int size, int batch) {
        return (size + batch - 1) / batch;
    }
}
