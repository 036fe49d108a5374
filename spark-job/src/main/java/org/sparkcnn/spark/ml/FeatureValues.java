package org.sparkcnn.spark.ml;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.sparkcnn.core.Shape;
import org.sparkcnn.spark.data.PixelColumn;
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
    private final PixelColumn pixels;
    private final int ordinal;

    FeatureValues(String column, int ordinal, Shape shape, PixelScale scale) {
        this.pixels = new PixelColumn(column, shape, scale);
        this.ordinal = ordinal;
    }

    /** Writes row's features as {@code shape.size()} bytes at {@code out[at..]}; a bad value names the column. */
    void decode(Row row, byte[] out, int at) {
        if (row.isNullAt(ordinal)) {
            throw pixels.fault("is null");
        }
        Object v = row.get(ordinal);
        if (v instanceof Vector vec) {
            pixels.checkCount(vec.size());
            pixels.quantiseAll(vec.toArray(), out, at);       // dense or sparse alike
        } else if (v instanceof byte[] bytes) {
            pixels.checkCount(bytes.length);
            System.arraycopy(bytes, 0, out, at, bytes.length);
        } else {
            List<Object> values = row.getList(ordinal);
            pixels.checkCount(values.size());
            for (int k = 0; k < values.size(); k++) {
                Object x = values.get(k);
                if (x == null) {
                    throw pixels.fault("value " + k + " is null");
                }
                out[at + k] = x instanceof Byte b ? b : pixels.quantise(((Number) x).doubleValue(), k);
            }
        }
    }
}
