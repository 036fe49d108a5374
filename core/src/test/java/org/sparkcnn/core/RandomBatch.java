package org.sparkcnn.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * A random test minibatch for a spec: inputs uniform in [-0.3, 0.7) and one-hot targets, all drawn from one stream
 * seeded with {@code seed}, so a test sees the same batch on every run.
 */
public record RandomBatch(INDArray x, INDArray y) {
    public static RandomBatch of(ModelSpec spec, int n, DataType dtype, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Shape in = spec.input();
        double[] values = new double[n * in.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = rng.nextDouble() - 0.3;
        }
        INDArray x = Nd4j.createFromArray(values).reshape(n, in.channels(), in.height(), in.width()).castTo(dtype);
        INDArray y = Nd4j.zeros(dtype, n, spec.outputs());
        for (int i = 0; i < n; i++) {
            y.putScalar(i, rng.nextInt(spec.outputs()), 1.0);
        }
        return new RandomBatch(x, y);
    }
}
