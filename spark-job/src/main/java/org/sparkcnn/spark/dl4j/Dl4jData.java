package org.sparkcnn.spark.dl4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.data.MnistDataset;

/**
 * Our minibatches as DL4J {@link DataSet}s: the same examples in the same order, features pixel/255 as float32
 * [count, 1, rows, cols] (the layout of {@link Dl4jModels#configuration}'s {@code InputType.convolutional}),
 * labels one-hot [count, 10]. Built by {@link MnistDataset#fillBatch}, so both engines see identical numbers.
 */
public final class Dl4jData {
    private Dl4jData() { }

    /** Examples {@code order[from .. from+count)} of {@code data} as one DataSet. */
    public static DataSet batch(MnistDataset data, int[] order, int from, int count) {
        INDArray x = Nd4j.createUninitialized(DataType.FLOAT, new long[] {count, 1, data.rows(), data.cols()}, 'c');
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, new long[] {count, 10}, 'c');
        data.fillBatch(order, from, count, x, y);
        return new DataSet(x, y);
    }
}
