package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Activation;

/**
 * The activation after a conv, dense or batch-norm layer, applied in place on that layer's output buffer (so bias
 * and activation touch the memory once each, with no copy). Backward works in place on the incoming gradient's copy.
 *
 * <p>Image layers hand on NHWC memory as an [N, C, H, W] view; element-wise ops over such a view take ND4J's slow
 * strided path (measured 12 ms for a ReLU over 64×32×28×28 values), so both directions run on the NHWC view of the
 * same memory, which is dense in c order, whenever the output is such a view.
 */
public final class ActivationLayer implements Layer {
    private final Activation activation;
    private INDArray y;                // the output, in the memory order it is computed in
    private boolean nhwc;              // y is the [N, H, W, C] view of an [N, C, H, W] output
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
        INDArray view = z.rank() == 4 ? z.permute(0, 2, 3, 1) : null;
        nhwc = view != null && Images.isDense(view) && !Images.isDense(z);
        y = nhwc ? view : z;
        activation.forward(y);
        return z;
    }

    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        if (activation == Activation.IDENTITY) {
            return gradOut;
        }
        grad = Buffers.reuse(grad, y.shape());
        scratch = Buffers.reuse(scratch, y.shape());
        grad.assign(nhwc ? gradOut.permute(0, 2, 3, 1) : gradOut);
        activation.backward(y, grad, scratch);
        return nhwc ? grad.permute(0, 3, 1, 2) : grad;
    }
}
