package org.sparkcnn.tools.dl4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.data.ImageArray;

/**
 * Our minibatches as DL4J {@link DataSet}s: the same examples in the same order, features pixel/255 as float32
 * [count, C, H, W] (the layout of {@link Dl4jModels#configuration}'s {@code InputType.convolutional}),
 * labels one-hot [count, K]. Built by {@link ImageArray#fillBatch}, so both engines see identical numbers.
 */
public final class Dl4jData {
    private Dl4jData() { }

    /** Examples {@code order[from .. from+count)} of {@code data} as one DataSet with {@code classes} label columns. */
    public static DataSet batch(ImageArray data, int classes, int[] order, int from, int count) {
        var s = data.shape();
        INDArray x = Nd4j.createUninitialized(DataType.FLOAT, new long[] {count, s.channels(), s.height(), s.width()},
                'c');
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, new long[] {count, classes}, 'c');
        data.fillBatch(order, from, count, x, y);
        return new DataSet(x, y);
    }
}
