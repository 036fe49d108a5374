package org.sparkcnn.spark.data;

import org.sparkcnn.core.Shape;

import java.io.Serializable;

/**
 * A column whose values become C×H×W unsigned pixel bytes: the count check, the quantisation and the one-line
 * refusal that training ({@link ImageColumn}) and spark.ml's {@code transform} share, so both read a value alike
 * and refuse it in the same words ("column NAME ...").
 *
 * @param column the column's name, for messages
 * @param shape  the declared image shape
 * @param scale  the scale of fractional values
 */
public record PixelColumn(String column, Shape shape, PixelScale scale) implements Serializable {
    /** An IllegalArgumentException "column NAME {@code what}". */
    public IllegalArgumentException fault(String what) {
        return new IllegalArgumentException("column " + column + " " + what);
    }

    /** Refuses a value holding other than C·H·W numbers. */
    public void checkCount(long values) {
        if (values != shape.size()) {
            throw fault("has " + values + " values, expected " + shape.size() + " (" + shape + ")");
        }
    }

    /** Value {@code k} on the pixel scale ({@link PixelScale#quantise}); a value off the scale is refused. */
    public byte quantise(double v, int k) {
        try {
            return scale.quantise(v);
        } catch (IllegalArgumentException e) {
            throw fault("value " + k + " " + e.getMessage());
        }
    }

    /** {@code out[at + k]} = value {@code k} of {@code v} on the pixel scale, for every k. */
    public void quantiseAll(double[] v, byte[] out, int at) {
        for (int k = 0; k < v.length; k++) {
            out[at + k] = quantise(v[k], k);
        }
    }
}
