package org.sparkcnn.core.reference;

/**
 * A layer of the reference network. A minibatch of N examples is one double array in c-order: [N, C, H, W] for
 * images, [N, K] for vectors (the same memory, so flattening is free). {@code forward} keeps what {@code backward}
 * needs; {@code backward} adds dL/dθ into the flat gradient at the layer's offset and returns dL/dx.
 */
interface ReferenceLayer {

    /** Parameters (weights, then biases) this layer reads from the flat vector. */
    default int paramCount() {
        return 0;
    }

    /** y = f(x) for a batch of {@code n}, reading this layer's parameters from {@code params}. */
    double[] forward(double[] x, int n, double[] params, boolean training, long noiseSeed);

    /** dL/dx from dL/dy; adds this layer's parameter gradient into {@code grads}. */
    double[] backward(double[] gradOut, int n, double[] params, double[] grads);
}
