package org.sparkcnn.core;

import java.io.Serializable;

/** The shape of one example as it flows through the network: channels × height × width (a vector is c×1×1). */
public record Shape(int channels, int height, int width) implements Serializable {
    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape must be positive, got " + channels + "x" + height + "x" + width);
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
