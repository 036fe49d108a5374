package org.sparkcnn.spark.exchange;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bfloat16 rounding to nearest, ties to even, checked on bit patterns; blocks of half the bytes. */
class Bfloat16Test {

    static short bf(int floatBits) {
        return Bfloat16.round(Float.intBitsToFloat(floatBits));
    }

    @Test
    void roundsToNearestWithTiesToEven() {
        assertEquals((short) 0x3F80, bf(0x3F800000));                 // 1.0 exactly
        assertEquals((short) 0x3F80, bf(0x3F808000));                 // 1 + 2^-8: a tie, 0x3F80 is even
        assertEquals((short) 0x3F82, bf(0x3F818000));                 // 1 + 3·2^-8: a tie, up to even 0x3F82
        assertEquals((short) 0x3F81, bf(0x3F808001));                 // just above the tie
        assertEquals((short) 0x3F80, bf(0x3F807FFF));                 // just below it
        assertEquals((short) 0xBFC0, Bfloat16.round(-1.5f));
        assertEquals(0.1f, Bfloat16.toFloat(Bfloat16.round(0.1f)), 0.1f / 256);
        assertEquals(0.10009765625f, Bfloat16.toFloat(Bfloat16.round(0.1f)));   // 0x3DCD
    }

    @Test
    void keepsInfinitiesAndNaNAndOverflowsToInfinity() {
        assertEquals(Float.POSITIVE_INFINITY, Bfloat16.toFloat(Bfloat16.round(Float.MAX_VALUE)));
        assertEquals(Float.NEGATIVE_INFINITY, Bfloat16.toFloat(Bfloat16.round(Float.NEGATIVE_INFINITY)));
        assertTrue(Float.isNaN(Bfloat16.toFloat(Bfloat16.round(Float.NaN))));
        assertTrue(Float.isNaN(Bfloat16.toFloat(Bfloat16.round(Float.intBitsToFloat(0x7F800001)))), "signalling NaN");
        assertEquals(-0.0f, Bfloat16.toFloat(Bfloat16.round(-0.0f)));
    }

    @Test
    void everyBfloat16IsItsOwnRounding() {
        for (int b = 0; b < 0x10000; b++) {
            float f = Bfloat16.toFloat((short) b);
            if (!Float.isNaN(f)) {
                assertEquals((short) b, Bfloat16.round(f), "bfloat16 " + Integer.toHexString(b));
            }
        }
    }

    @Test
    void bf16BlocksHoldTwoBytesPerValue() {
        float[] v = {1f, -2.5f, 0.1f, 3e-5f, 65504f};
        ByteBuffer fp32 = ExchangePrecision.FP32.encode(v);
        ByteBuffer bf16 = ExchangePrecision.BF16.encode(v);
        assertEquals(20, fp32.remaining());
        assertEquals(10, bf16.remaining());
        assertArrayEquals(v, ExchangePrecision.FP32.decode(fp32));
        float[] rounded = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            rounded[i] = Bfloat16.toFloat(Bfloat16.round(v[i]));
        }
        assertArrayEquals(rounded, ExchangePrecision.BF16.decode(bf16));
        assertEquals(ExchangePrecision.BF16, ExchangePrecision.parse(" BF16"));
        assertEquals("unknown exchange precision 'fp8': use fp32 or bf16",
                assertThrows(IllegalArgumentException.class, () -> ExchangePrecision.parse("fp8")).getMessage());
    }
}
