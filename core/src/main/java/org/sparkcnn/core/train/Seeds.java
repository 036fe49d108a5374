package org.sparkcnn.core.train;

/** Derives independent seeds from a run seed and coordinates (epoch, worker, batch…) with SplitMix64 mixing. */
public final class Seeds {
    private Seeds() { }

    /** A well-mixed 64-bit seed for the given coordinates; different coordinates give unrelated streams. */
    public static long mix(long seed, long... coordinates) {
        long h = splitMix(seed);
        for (long c : coordinates) {
            h = splitMix(h ^ splitMix(c + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    private static long splitMix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
