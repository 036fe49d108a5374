package org.sparkcnn.core.layers;

import org.sparkcnn.core.Shape;

import java.io.Serializable;

/** The shape of a layer apart from its weights: immutable, serializable, knows its output shape and size. */
public sealed interface LayerSpec extends Serializable
        permits Conv2dSpec, Pool2dSpec, DenseSpec, DropoutSpec, FlattenSpec, BatchNormSpec {

    /** Output shape for the given input shape; throws IllegalArgumentException naming the problem. */
    Shape outputShape(Shape in);

    /** Number of parameters (weights then biases) for the given input shape. */
    long paramCount(Shape in);

    /** A runtime layer (float) with its own buffers. */
    Layer create(Shape in);

    /** The compact text form, as read by {@link org.sparkcnn.core.ModelSpec#parse}. */
    String token();
}
