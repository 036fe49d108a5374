package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Shape;

/** [N, C, H, W] (any strides) to a c-order [N, C·H·W] matrix; backward is the inverse reshape. */
final class Flatten implements Layer {
    private final Shape in;
    private INDArray y;

    Flatten(Shape in) {
        this.in = in;
    }

    @Override
    public INDArray forward(INDArray x, boolean training, long noiseSeed) {
        long n = x.size(0);
        y = Buffers.reuse(y, n, in.size());
        y.reshape('c', n, in.channels(), in.height(), in.width()).assign(x.reshape(n, in.channels(), in.height(), in.width()));
        return y;
    }

    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        return needInputGrad ? gradOut.reshape('c', gradOut.size(0), in.channels(), in.height(), in.width()) : null;
    }
}
