package org.sparkcnn.spark;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The example-weighted mean of the workers' vectors: summed in double in worker order; one worker's is its vector. */
class WeightedMeanTest {

    @Test
    void theMeanOfOneWorkerIsItsVectorItselfWithoutArithmetic() {
        float[] v = {1.5f, -0.0f, Float.intBitsToFloat(0x7fc01234), Float.MIN_VALUE, -3.25e-30f, Float.MAX_VALUE};
        float[] copy = v.clone();
        WeightedMean mean = new WeightedMean(WeightedMean.weights(new long[]{64}), v.length);
        mean.add(0, v);
        float[] out = mean.floats();
        assertSame(v, out);                                      // no pass over the vector, no copy
        assertArrayEquals(copy, out);                            // bit for bit (assertArrayEquals compares float bits)
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(out[1]));    // 0.0 + -0.0 would be +0
        assertEquals(0x7fc01234, Float.floatToRawIntBits(out[2]));
    }

    @Test
    void aWorkerWithoutExamplesAloneStillHasWeightOne() {
        assertArrayEquals(new double[]{1.0}, WeightedMean.weights(new long[]{0}));
    }

    @Test
    void severalWorkersAreSummedInDoubleWithTheirShareOfExamplesAndRoundedOnce() {
        double[] w = WeightedMean.weights(new long[]{1, 3});
        assertArrayEquals(new double[]{0.25, 0.75}, w);
        float[] a = {1f, 0.1f, -0.0f};
        float[] b = {3f, 0.2f, -0.0f};
        WeightedMean mean = new WeightedMean(w, 3);
        mean.add(0, a);
        mean.add(1, b);
        float[] out = mean.floats();
        assertEquals(2.5f, out[0]);
        assertEquals((float) (0.0 + 0.25 * (double) 0.1f + 0.75 * (double) 0.2f), out[1]);
        assertEquals(Float.floatToRawIntBits(0.0f), Float.floatToRawIntBits(out[2]));    // the sum starts from +0
    }

    @Test
    void blocksReadInPlaceAndWrittenIntoABlockGiveTheArraysBits() {
        int n = 40_000;                                          // more than two chunks, the last one short
        java.util.Random r = new java.util.Random(7);
        float[][] v = new float[3][n];
        java.nio.ByteBuffer[] blocks = new java.nio.ByteBuffer[3];
        for (int w = 0; w < 3; w++) {
            for (int i = 0; i < n; i++) {
                v[w][i] = (float) r.nextGaussian() * (i % 7 == 0 ? 1e-20f : 3f);
            }
            blocks[w] = java.nio.ByteBuffer.allocate(n * 4 + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            blocks[w].position(8);                               // a view that does not start at the buffer's start
            blocks[w].slice().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v[w]);
        }
        double[] weights = WeightedMean.weights(new long[]{64, 64, 37});
        WeightedMean arrays = new WeightedMean(weights, n);
        WeightedMean inPlace = new WeightedMean(weights, n);
        for (int w = 0; w < 3; w++) {
            arrays.add(w, v[w]);
            inPlace.add(w, blocks[w].slice().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
        }
        float[] expected = arrays.floats();
        java.nio.FloatBuffer out = java.nio.FloatBuffer.allocate(n + 3);
        out.position(3);
        inPlace.writeTo(out);
        assertEquals(n + 3, out.position());
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(out.array(), 3, n + 3));
        assertNotEquals(expected[0], v[0][0]);                   // a real mean, not a copy of a worker

        java.nio.FloatBuffer[] all = new java.nio.FloatBuffer[3];   // all at once, one pass: the same bits
        for (int w = 0; w < 3; w++) {
            all[w] = blocks[w].slice().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        }
        java.nio.FloatBuffer fused = java.nio.FloatBuffer.allocate(n);
        new WeightedMean(weights, n).writeMeanOf(all, fused);
        assertEquals(n, fused.position());
        assertArrayEquals(expected, fused.array());
    }

    @Test
    void theOnePassMeanOfOneWorkerIsItsVectorBitForBit() {
        float[] v = {1.5f, -0.0f, Float.intBitsToFloat(0x7fc01234), Float.MIN_VALUE};
        java.nio.FloatBuffer out = java.nio.FloatBuffer.allocate(4);
        new WeightedMean(WeightedMean.weights(new long[]{64}), 4).writeMeanOf(
                new java.nio.FloatBuffer[]{java.nio.FloatBuffer.wrap(v)}, out);
        assertArrayEquals(v, out.array());
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(out.array()[1]));
    }

    @Test
    void aShortBlockIsRefused() {
        WeightedMean mean = new WeightedMean(WeightedMean.weights(new long[]{1, 1}), 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mean.add(0, java.nio.FloatBuffer.allocate(9)));
        assertEquals("a vector of 9 values for a mean of 10", e.getMessage());
    }
}
