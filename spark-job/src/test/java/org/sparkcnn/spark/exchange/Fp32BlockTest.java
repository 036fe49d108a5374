package org.sparkcnn.spark.exchange;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A block copied from buffers laid end to end holds the bytes of the same values encoded from one heap array. */
class Fp32BlockTest {
    @Test
    void rangesAcrossPartsEncodeLikeOneArray() {
        float[] all = new float[1000];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < all.length; i++) {
            all[i] = (float) r.nextGaussian();
        }
        all[3] = Float.NaN;
        all[4] = -0f;
        // the parameters in an off-heap buffer, the state on the heap after a position: 600 + 400 values
        FloatBuffer params = ByteBuffer.allocateDirect(600 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer()
                .put(all, 0, 600).flip();
        FloatBuffer state = FloatBuffer.allocate(450).position(50);
        state.put(all, 600, 400).position(50);
        FloatBuffer[] parts = {params, state};
        int[][] ranges = {{0, 1000}, {0, 600}, {600, 1000}, {500, 700}, {599, 601}, {0, 1}, {999, 1000}};
        for (int[] range : ranges) {
            ByteBuffer want = ExchangePrecision.FP32.encode(Arrays.copyOfRange(all, range[0], range[1]));
            ByteBuffer got = ExchangePrecision.fp32(parts, range[0], range[1]);
            assertEquals(want, got, "values [" + range[0] + ", " + range[1] + ")");
            assertEquals(0, params.position(), "the parts' positions are left alone");
            assertEquals(50, state.position());
        }
        assertThrows(IllegalArgumentException.class, () -> ExchangePrecision.fp32(parts, 900, 1001));
    }
}
