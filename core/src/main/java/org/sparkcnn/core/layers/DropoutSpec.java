package org.sparkcnn.core.layers;

import org.sparkcnn.core.Shape;

/** Inverted dropout: in training each value is zeroed with probability {@code rate} and the rest scaled by
 *  1/(1−rate); at inference it is the identity (Srivastava et al. 2014). */
public record DropoutSpec(double rate) implements LayerSpec {

    public DropoutSpec {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
    }

    @Override
    public Shape outputShape(Shape in) {
        return in;
    }

    @Override
    public long paramCount(Shape in) {
        return 0;
    }

    @Override
    public Layer create(Shape in) {
        return new Dropout(rate);
    }

    @Override
    public String token() {
        return "dropout" + rate;
    }
}
