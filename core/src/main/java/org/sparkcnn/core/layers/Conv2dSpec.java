package org.sparkcnn.core.layers;

import org.sparkcnn.core.Activation;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.WeightInit;

/**
 * 2-D convolution: {@code filters} kernels of {@code kernelH}×{@code kernelW} over all input channels, a stride,
 * and "valid" (no padding) or "same" (output = ceil(input / stride); TensorFlow's padding, the extra row or column
 * at the bottom/right) padding, followed by a bias and an activation.
 */
public record Conv2dSpec(int kernelH, int kernelW, int filters, int stride, boolean same, Activation activation,
                         WeightInit init, double biasInit) implements LayerSpec {

    public Conv2dSpec {
        if (kernelH < 1 || kernelW < 1 || filters < 1 || stride < 1) {
            throw new IllegalArgumentException("conv needs positive kernel, filters and stride");
        }
    }

    @Override
    public Shape outputShape(Shape in) {
        int oh = outSize(in.height(), kernelH);
        int ow = outSize(in.width(), kernelW);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(token() + ": kernel " + kernelH + "x" + kernelW
                    + " does not fit input " + in);
        }
        return new Shape(filters, oh, ow);
    }

    int outSize(int in, int k) {
        return same ? (in + stride - 1) / stride : (in - k) / stride + 1;
    }

    /** Padding before the first row (column); "same" puts any odd extra after the last. */
    int padBefore(int in, int k) {
        return same ? Math.max(0, (outSize(in, k) - 1) * stride + k - in) / 2 : 0;
    }

    @Override
    public long paramCount(Shape in) {
        return (long) filters * in.channels() * kernelH * kernelW + filters;
    }

    @Override
    public Layer create(Shape in) {
        return new Conv2d(this, in);
    }

    @Override
    public String token() {
        return "conv" + kernelH + "x" + kernelW + "x" + filters + (stride != 1 ? ":s" + stride : "")
                + (same ? ":same" : "") + (activation != Activation.IDENTITY ? ":" + activation.token() : "")
                + ":" + init.token() + (biasInit != 0 ? ":bias" + biasInit : "");
    }
}
