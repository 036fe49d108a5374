package org.sparkcnn.spark;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
