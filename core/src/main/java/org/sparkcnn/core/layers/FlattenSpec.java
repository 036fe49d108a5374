package org.sparkcnn.core.layers;

import org.sparkcnn.core.Shape;

/** Flattens [N, C, H, W] to [N, C·H·W] in channel-major order (the order DL4J and PyTorch use). */
public record FlattenSpec() implements LayerSpec {

    @Override
    public Shape outputShape(Shape in) {
        return Shape.vector(in.size());
    }

    @Override
    public long paramCount(Shape in) {
        return 0;
    }

    @Override
    public Layer create(Shape in) {
        return new Flatten(in);
    }

    @Override
    public String token() {
        return "flatten";
    }
}
