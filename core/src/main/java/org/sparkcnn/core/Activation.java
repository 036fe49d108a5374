package org.sparkcnn.core;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Locale;

/**
 * Element-wise (and, for softmax, row-wise) activation functions with their derivatives.
 *
 * <p>Both directions work in place. {@link #forward} maps z to y = f(z); {@link #backward} turns dL/dy into dL/dz
 * using only the cached output y, which every function here allows.
 *
 * <p>{@link #STEP} is the perceptron's Heaviside step, y = 1 if z &gt; 0 else 0. Its derivative is zero
 * almost everywhere (and undefined at 0), so gradient descent cannot learn through it: networks containing it are
 * refused for training and may only be used for inference.
 */
public enum Activation {
    IDENTITY, STEP, SIGMOID, TANH, RELU, SOFTMAX;

    /** y = f(z), in place; for SOFTMAX the rows of a [N, K] matrix are normalized. */
    public void forward(INDArray z) {
        switch (this) {
            case IDENTITY -> { }
            case STEP -> Transforms.step(z, false);
            case SIGMOID -> Transforms.sigmoid(z, false);
            case TANH -> Transforms.tanh(z, false);
            case RELU -> Transforms.relu(z, false);
            case SOFTMAX -> Nd4j.getExecutioner().exec(new SoftMax(z, z, 1));
        }
    }

    /**
     * dL/dz from dL/dy, in place in {@code grad}. {@code y} is the forward output; {@code scratch} a buffer of y's
     * shape that this method may overwrite.
     */
    public void backward(INDArray y, INDArray grad, INDArray scratch) {
        switch (this) {
            case IDENTITY -> { }
            case STEP -> throw new IllegalStateException(STEP_MESSAGE);
            // y = 1/(1+e^-z): dy/dz = y(1-y)
            case SIGMOID -> grad.muli(scratch.assign(y).rsubi(1.0).muli(y));
            // y = tanh z: dy/dz = 1 - y^2
            case TANH -> grad.muli(scratch.assign(y).muli(y).rsubi(1.0));
            // y = max(0, z): dy/dz = [y > 0]
            case RELU -> grad.muli(Transforms.step(scratch.assign(y), false));
            // y_i = e^z_i / sum e^z: dL/dz_i = y_i (g_i - sum_j g_j y_j)
            case SOFTMAX -> {
                INDArray dot = scratch.assign(grad).muli(y).sum(1);
                grad.subiColumnVector(dot.reshape(dot.length(), 1)).muli(y);
            }
        }
    }

    /** The refusal message for training through {@link #STEP}. */
    public static final String STEP_MESSAGE = "the step activation has derivative zero almost everywhere, so it "
            + "cannot be trained by gradient descent; use it only for inference (e.g. a perceptron's output)";

    /** Parses a name like {@code relu} or {@code softmax}; null if the word is not an activation. */
    public static Activation parseOrNull(String word) {
        for (Activation a : values()) {
            if (a.name().toLowerCase(Locale.ROOT).equals(word)) {
                return a;
            }
        }
        return word.equals("linear") ? IDENTITY : null;
    }

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }
}
