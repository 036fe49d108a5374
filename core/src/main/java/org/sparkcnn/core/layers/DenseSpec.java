package org.sparkcnn.core.layers;

import org.sparkcnn.core.Activation;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.WeightInit;

/** Fully connected layer y = f(x·W + b), W of shape [inputs, units]; a non-vector input is flattened first. */
public record DenseSpec(int units, Activation activation, WeightInit init, double biasInit) implements LayerSpec {

    public DenseSpec {
        if (units < 1) {
            throw new IllegalArgumentException("dense needs at least one unit");
        }
    }

    @Override
    public Shape outputShape(Shape in) {
        return Shape.vector(units);
    }

    @Override
    public long paramCount(Shape in) {
        return (long) in.size() * units + units;
    }

    @Override
    public Layer create(Shape in) {
        return new Dense(this, in);
    }

    @Override
    public String token() {
        String head = activation == Activation.SOFTMAX ? "softmax" + units
                : "dense" + units + (activation != Activation.IDENTITY ? ":" + activation.token() : "");
        return head + ":" + init.token() + (biasInit != 0 ? ":bias" + biasInit : "");
    }
}
