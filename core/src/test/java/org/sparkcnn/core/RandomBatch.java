package org.sparkcnn.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/** A random test minibatch for a spec: inputs uniform in [-0.3, 0.7), one-hot targets drawn from {@code seed}. */
record RandomBatch(INDArray x, INDArray y) {
    static RandomBatch of(ModelSpec spec, int n, DataType dtype, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Shape in = spec.input();
        INDArray x = Nd4j.rand(dtype, n, in.channels(), in.height(), in.width()).subi(0.3);
        INDArray y = Nd4j.zeros(dtype, n, spec.outputs());
        for (int i = 0; i < n; i++) {
            y.putScalar(i, rng.nextInt(spec.outputs()), 1.0);
        }
        return new RandomBatch(x, y);
    }
}
