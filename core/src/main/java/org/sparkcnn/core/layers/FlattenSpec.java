package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
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
    public Layer create(Shape in, DataType dtype) {
        return new Flatten(in, dtype);
    }

    @Override
    public String token() {
        return "flatten";
    }
}
