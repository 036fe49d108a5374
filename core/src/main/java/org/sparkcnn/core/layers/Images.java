package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Shape;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Moves one image at a time between an off-heap [N, C, H, W] array and a heap array in NHWC order
 * ({@code a[(h·W + w)·C + c]}), so the convolution and pooling loops run over plain Java arrays. When the image is
 * NHWC in memory already (a layer's output, or any one-channel input) the move is a single bulk copy.
 */
final class Images {
    private Images() { }

    /** {@code a} itself when it starts at the first element of its own buffer, else a c-order copy. */
    static INDArray dense(INDArray a) {
        return a.offset() == 0 && a.data().offset() == 0 ? a : a.dup('c');
    }

    /** Whether {@code a} has c-order strides for its shape (size-1 dimensions aside): ND4J's dense element-wise path. */
    static boolean isDense(INDArray a) {
        long expected = 1;
        for (int d = a.rank() - 1; d >= 0; d--) {
            if (a.size(d) != 1 && a.stride(d) != expected) {
                return false;
            }
            expected *= a.size(d);
        }
        return true;
    }

    /** Whether strides {@code st} of an [N, C, H, W] array of images {@code s} lay each image out as NHWC. */
    static boolean isNhwc(long[] st, Shape s) {
        int c = s.channels();
        return (c == 1 || st[1] == 1) && (s.width() == 1 || st[3] == c)
                && (s.height() == 1 || st[2] == (long) s.width() * c);
    }

    /** dst[(h·W + w)·C + c] = x[n, c, h, w] for x of image shape {@code s}, memory {@code src}, strides {@code st}. */
    static void load(FloatBuffer src, long[] st, Shape s, int n, float[] dst) {
        int base = (int) (n * st[0]);
        if (isNhwc(st, s)) {
            src.get(base, dst, 0, s.size());
            return;
        }
        int j = 0;
        for (int h = 0; h < s.height(); h++) {
            for (int w = 0; w < s.width(); w++) {
                int p = (int) (base + h * st[2] + w * st[3]);
                for (int c = 0; c < s.channels(); c++) {
                    dst[j++] = src.get((int) (p + c * st[1]));
                }
            }
        }
    }

    /** {@link #load(FloatBuffer, long[], Shape, int, float[])} for the raw bits of floats. */
    static void load(IntBuffer src, long[] st, Shape s, int n, int[] dst) {
        int base = (int) (n * st[0]);
        if (isNhwc(st, s)) {
            src.get(base, dst, 0, s.size());
            return;
        }
        int j = 0;
        for (int h = 0; h < s.height(); h++) {
            for (int w = 0; w < s.width(); w++) {
                int p = (int) (base + h * st[2] + w * st[3]);
                for (int c = 0; c < s.channels(); c++) {
                    dst[j++] = src.get((int) (p + c * st[1]));
                }
            }
        }
    }
}
