package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/** Reusable work buffers: a layer keeps its arrays between steps and reallocates only when the batch size changes. */
final class Buffers {
    private Buffers() { }

    /** {@code current} if it already has {@code shape}, else a new uninitialized c-order float array. */
    static INDArray reuse(INDArray current, long... shape) {
        if (current != null && Arrays.equals(current.shape(), shape)) {
            return current;
        }
        return Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    }

    /** Writes initial weights drawn on the JVM heap into a parameter view. */
    static void assign(INDArray view, float[] values) {
        view.assign(Nd4j.createFromArray(values).reshape(view.shape()).castTo(view.dataType()));
    }
}
