package org.sparkcnn.core.layers;

import org.sparkcnn.core.Shape;

/** Max or average pooling over {@code kernel}×{@code kernel} windows with a stride, no padding, per channel. */
public record Pool2dSpec(boolean max, int kernel, int stride) implements LayerSpec {

    public Pool2dSpec {
        if (kernel < 1 || stride < 1) {
            throw new IllegalArgumentException("pooling needs a positive kernel and stride");
        }
    }

    @Override
    public Shape outputShape(Shape in) {
        int oh = (in.height() - kernel) / stride + 1;
        int ow = (in.width() - kernel) / stride + 1;
        if (in.height() < kernel || in.width() < kernel) {
            throw new IllegalArgumentException(token() + ": window " + kernel + " does not fit input " + in);
        }
        return new Shape(in.channels(), oh, ow);
    }

    @Override
    public long paramCount(Shape in) {
        return 0;
    }

    @Override
    public Layer create(Shape in) {
        return new Pool2d(this, in);
    }

    @Override
    public String token() {
        return (max ? "maxpool" : "avgpool") + kernel + (stride != kernel ? ":s" + stride : "");
    }
}
