package org.sparkcnn.core;

import java.io.Serializable;

/** The shape of one example as it flows through the network: channels × height × width (a vector is c×1×1). */
public record Shape(int channels, int height, int width) implements Serializable {
    /** The most values a shape may have: what one Java array holds, so {@link #size()} never overflows. */
    public static final int MAX_SIZE = Integer.MAX_VALUE - 8;

    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        if ((long) channels * height > MAX_SIZE || (long) channels * height * width > MAX_SIZE) {
            throw new IllegalArgumentException("shape " + channels + "x" + height + "x" + width + " has more than "
                    + MAX_SIZE + " values");
        }
    }

    /** A flat vector of {@code n} features. */
    public static Shape vector(int n) {
        return new Shape(n, 1, 1);
    }

    /** Number of values per example. */
    public int size() {
        return channels * height * width;
    }

    public boolean isVector() {
        return height == 1 && width == 1;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
