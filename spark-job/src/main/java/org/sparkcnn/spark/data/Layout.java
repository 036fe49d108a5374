package org.sparkcnn.spark.data;

import org.sparkcnn.core.train.IndexPermutation;
import org.sparkcnn.core.train.Seeds;

import java.io.Serializable;

/**
 * Where each example of a data set sits: source index i goes to position {@code position(i)} of [0, n), and shard w
 * holds positions [shardStart(w), shardStart(w+1)) in order. Either the source order itself, or a seeded global
 * shuffle ({@link IndexPermutation}) for reshuffle generation g.
 *
 * @param n          examples
 * @param generation the reshuffle generation, or -1 for the source order
 * @param seed       the run seed
 */
public record Layout(long n, int generation, long seed) implements Serializable {

    /** The source order: shard w is the w-th contiguous range of the files. */
    public static Layout sourceOrder(long n) {
        return new Layout(n, -1, 0);
    }

    /** The layout of reshuffle generation {@code g}, a pseudo-random bijection determined by (seed, g). */
    public static Layout shuffled(long n, long seed, int g) {
        return new Layout(n, g, seed);
    }

    public boolean isSourceOrder() {
        return generation < 0;
    }

    /** A function of the source index alone, so a lost shard is rebuilt from storage with the same content. */
    public IndexPermutation permutation() {
        return new IndexPermutation(n, Seeds.mix(seed, 0x1A7007, generation));
    }
}
