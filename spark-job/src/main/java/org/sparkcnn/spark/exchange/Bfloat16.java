package org.sparkcnn.spark.exchange;

/**
 * bfloat16: a float's sign, its 8 exponent bits and the top 7 of its 23 mantissa bits (the upper half of its bit
 * pattern), so it keeps float's range with about 3 significant decimal digits (relative spacing 2^-8). Rounding is
 * to nearest, ties to even, as in Intel's BF16 specification and {@code torch.bfloat16}; NaN stays a (quiet) NaN,
 * values beyond the largest finite bfloat16 round to infinity.
 */
public final class Bfloat16 {
    private Bfloat16() { }

    /** The bfloat16 nearest to {@code f} (ties to even), as its 16 bits. */
    public static short round(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int tieToEven = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + tieToEven) >>> 16);
    }

    /** The float whose value bfloat16 {@code b} is (exact). */
    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }
}
