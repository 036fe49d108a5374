package org.sparkcnn.core.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Shape;

/**
 * Labelled images of one shape, 8 bits per pixel value: example i's {@code shape().size()} bytes (c-order C×H×W)
 * start at {@code pixelOffset(i)} in {@code pixelArray(i)}, its label is an unsigned byte. Implementations are
 * immutable by convention: backing arrays are shared, never copied, and must not be written.
 */
public interface ImageSet {
    Shape shape();

    int size();

    /** The label (0..255) of example i. */
    int label(int i);

    /** The array holding example i's pixels (not a copy). */
    byte[] pixelArray(int i);

    /** Where example i's pixels start in {@link #pixelArray}. */
    int pixelOffset(int i);

    /**
     * Writes examples {@code order[from .. from+count)} as a batch: x[j, c, h, w] = pixel / 255 and y[j] the one-hot
     * row of the label. x: c-order [count, C, H, W], y: c-order [count, K] with every label below K, each FLOAT or
     * DOUBLE, contiguous from offset 0. Writes straight into the off-heap buffers and allocates no arrays.
     */
    default void fillBatch(int[] order, int from, int count, INDArray x, INDArray y) {
        BatchFill.fill(this, order, from, count, x, y);
    }
}
