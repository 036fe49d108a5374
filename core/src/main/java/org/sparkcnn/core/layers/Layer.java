package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.SplittableRandom;

/**
 * A runtime layer. Activations between layers are NCHW-shaped arrays [N, C, H, W] (possibly strided views) or
 * [N, K] matrices. {@code forward} caches what {@code backward} needs; {@code backward} adds the parameter gradient
 * into the bound gradient view and returns dL/dx (or null when not asked for).
 */
public interface Layer {

    /** Binds the flat parameter and gradient views (each of length {@link LayerSpec#paramCount}). */
    default void bind(INDArray params, INDArray grads) { }

    /** Marks the bound parameters as another network's (a replica's view): this layer must never write them. */
    default void readOnlyParameters() { }

    /** Writes initial weights into the bound parameter view. */
    default void initialize(SplittableRandom rng) { }

    /** Forward pass. {@code noiseSeed} seeds any randomness (dropout) of this call. */
    INDArray forward(INDArray x, boolean training, long noiseSeed);

    /** Backward pass from dL/dy; returns dL/dx if {@code needInputGrad}, else null. */
    INDArray backward(INDArray gradOut, boolean needInputGrad);
}
