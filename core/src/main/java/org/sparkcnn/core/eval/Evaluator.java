package org.sparkcnn.core.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.data.ImageSet;

/** Evaluates a network on a range of a dataset in fixed-size batches, in index order. */
public final class Evaluator {
    private Evaluator() { }

    /** Counts for examples [from, to) of {@code data}. */
    public static EvalCounts evaluate(Network net, ImageSet data, int from, int to, int batch) {
        int k = net.spec().outputs();
        EvalCounts total = EvalCounts.zero(k);
        long[][] confusion = total.confusion();
        double lossSum = 0;
        var in = net.spec().input();
        int[] order = new int[to - from];
        for (int i = 0; i < order.length; i++) {
            order[i] = from + i;
        }
        INDArray x = null;
        INDArray y = null;
        for (int start = 0; start < order.length; start += batch) {
            int count = Math.min(batch, order.length - start);
            if (x == null || x.size(0) != count) {
                x = Nd4j.createUninitialized(DataType.FLOAT, new long[]{count, in.channels(), in.height(), in.width()}, 'c');
                y = Nd4j.createUninitialized(DataType.FLOAT, new long[]{count, k}, 'c');
            }
            data.fillBatch(order, start, count, x, y);
            Network.Scored scored = net.score(x, y);
            double[] losses = scored.losses();
            INDArray predicted = scored.predicted();
            for (int i = 0; i < count; i++) {
                int truth = data.label(order[start + i]);
                confusion[truth][predicted.getInt(i)]++;
                lossSum += losses[i];
            }
        }
        return new EvalCounts(confusion, lossSum, order.length);
    }
}
