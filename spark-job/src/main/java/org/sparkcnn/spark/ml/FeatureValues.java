package org.sparkcnn.spark.ml;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.sparkcnn.core.Shape;
import org.sparkcnn.spark.data.PixelScale;

import java.io.Serializable;
import java.util.List;

/**
 * Executor side of {@code transform}: one row's features column as the C·H·W unsigned bytes the network reads,
 * quantised on the {@link PixelScale} exactly as training caches them, so a model predicts on what it was
 * trained and evaluated on. Reads an ml.linalg Vector (dense or sparse), an array of floats or doubles, or the pixel
 * bytes themselves (binary or array of bytes).
 */
final class FeatureValues implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String column;
    private final int ordinal;
    private final Shape shape;
    private final PixelScale scale;

    FeatureValues(String column, int ordinal, Shape shape, PixelScale scale) {
        this.column = column;
        this.ordinal = ordinal;
        this.shape = shape;
        this.scale = scale;
    }

    /** Writes row's features as {@code shape.size()} bytes at {@code out[at..]}; a bad value names the column. */
    void decode(Row row, byte[] out, int at) {
        if (row.isNullAt(ordinal)) {
            throw fault("is null");
        }
        Object v = row.get(ordinal);
        if (v instanceof Vector vec) {
            count(vec.size());
            double[] values = vec.toArray();                  // dense or sparse alike
            for (int k = 0; k < values.length; k++) {
                out[at + k] = quantise(values[k], k);
            }
        } else if (v instanceof byte[] bytes) {
            count(bytes.length);
            System.arraycopy(bytes, 0, out, at, bytes.length);
        } else {
            List<Object> values = row.getList(ordinal);
            count(values.size());
            for (int k = 0; k < values.size(); k++) {
                Object x = values.get(k);
                if (x == null) {
                    throw fault("value " + k + " is null");
                }
                out[at + k] = x instanceof Byte b ? b : quantise(((Number) x).doubleValue(), k);
            }
        }
    }

    private byte quantise(double x, int k) {
        try {
            return scale.quantise(x);
        } catch (IllegalArgumentException e) {
            throw fault("value " + k + " " + e.getMessage());
        }
    }

    private void count(int n) {
        if (n != shape.size()) {
            throw fault("has " + n + " values, expected " + shape.size() + " (" + shape + ")");
        }
    }

    private IllegalArgumentException fault(String what) {
        return new IllegalArgumentException("column " + column + " " + what);
    }
}
