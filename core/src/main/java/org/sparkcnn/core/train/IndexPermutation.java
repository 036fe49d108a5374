package org.sparkcnn.core.train;

/**
 * A seeded pseudo-random bijection of [0, n), evaluated one index at a time in O(1) memory: a 4-round balanced
 * Feistel network on the smallest even-bit power-of-two domain holding n, with cycle walking (Black &amp; Rogaway
 * 2002, "Ciphers with arbitrary finite domains") to stay inside [0, n). It lays the examples of a data set out
 * across shards for a global reshuffle without materialising a permutation of all n indices anywhere.
 */
public final class IndexPermutation {
    private static final int ROUNDS = 4;
    private final long n;
    private final int halfBits;
    private final long halfMask;
    private final long[] keys = new long[ROUNDS];

    public IndexPermutation(long n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("domain size must be positive, got " + n);
        }
        this.n = n;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(n - 1));
        this.halfBits = (bits + 1) / 2;
        this.halfMask = (1L << halfBits) - 1;
        for (int r = 0; r < ROUNDS; r++) {
            keys[r] = Seeds.mix(seed, 0xFE15E1, r);
        }
    }

    /** The image of i: distinct i give distinct results, all in [0, n). */
    public long apply(long i) {
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("index " + i + " outside [0, " + n + ")");
        }
        long x = i;
        do {                                         // the domain is < 4n, so fewer than 4 walks on average
            x = encrypt(x);
        } while (x >= n);
        return x;
    }

    private long encrypt(long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (long k : keys) {
            long next = left ^ (Seeds.mix(k, right) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }
}
