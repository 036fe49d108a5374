package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Activation;

/**
 * The activation after a conv or dense layer, applied in place on that layer's output buffer (so bias and
 * activation touch the memory once each, with no copy). Backward works in place on the incoming gradient's copy.
 */
public final class ActivationLayer implements Layer {
    private final Activation activation;
    private INDArray y;
    private INDArray grad;
    private INDArray scratch;

    public ActivationLayer(Activation activation) {
        this.activation = activation;
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public INDArray forward(INDArray z, boolean training, long noiseSeed) {
        activation.forward(z);
        y = z;
        return y;
    }

    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        if (activation == Activation.IDENTITY) {
            return gradOut;
        }
        grad = Buffers.reuse(grad, y.shape());
        scratch = Buffers.reuse(scratch, y.shape());
        grad.assign(gradOut);
        activation.backward(y, grad, scratch);
        return grad;
    }
}
