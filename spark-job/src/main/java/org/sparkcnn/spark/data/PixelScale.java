package org.sparkcnn.spark.data;

import java.io.Serializable;

/**
 * How fractional pixel values become the cached unsigned bytes: values in [0, max] are stored as round(255·v/max),
 * and the network sees that byte / 255. With max = 1 (values in [0, 1]) this is exact for v = k/255; with max = 255
 * (raw 0–255 values) it is exact for whole numbers. Training ({@link ImageColumn}) and inference
 * ({@code org.sparkcnn.spark.ml}) quantise through this one function, so both see the same input.
 *
 * @param max the largest value a pixel may take (1 or 255 in practice; any positive finite number)
 */
public record PixelScale(double max) implements Serializable {
    /** Values in [0, 1]. */
    public static final PixelScale UNIT = new PixelScale(1);

    public PixelScale {
        if (!(max > 0) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("the pixel scale must be a positive number, got " + max);
        }
    }

    /** round(255·v/max); a value outside [0, max] (or NaN) is an IllegalArgumentException naming it. */
    public byte quantise(double v) {
        if (!(v >= 0 && v <= max)) {
            throw new IllegalArgumentException("is " + v + ", outside [0, " + (max == Math.rint(max)
                    ? String.valueOf((long) max) : String.valueOf(max)) + "]");
        }
        return (byte) Math.round(v * 255 / max);
    }
}
