package org.sparkcnn.core.layers;

import org.junit.jupiter.api.Test;
import org.sparkcnn.core.Shape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Max pooling's choice among equal maxima: the first in window order (kh, kw), and +0 over −0. */
class PoolWindowsTest {

    @Test
    void firstArgMaxAndPositiveZeroWin() {
        // one channel, a 2x4 image, two 2x2 windows: (1, 3, 3, 0) and (-0, -0, -0, +0) in window order
        float[] image = {1f, 3f, -0f, -0f, 3f, 0f, -0f, 0f};
        Shape in = new Shape(1, 2, 4);
        Shape out = new Shape(1, 1, 2);
        PoolWindows w = new PoolWindows(in, out, 2, 2);
        int[] bits = new int[image.length];
        for (int i = 0; i < image.length; i++) {
            bits[i] = Float.floatToRawIntBits(image[i]);
        }
        int[] best = new int[2];
        int[] at = new int[2];
        w.max(bits, best, at, 0);
        assertArrayEquals(new int[]{1, 3}, at, "the first of two equal maxima; +0 over earlier -0s");
        assertArrayEquals(new int[]{Float.floatToRawIntBits(3f), Float.floatToRawIntBits(0f)}, best);
    }
}
