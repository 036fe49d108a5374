package org.sparkcnn.spark.exchange;

import java.io.Serializable;

/**
 * A vector of {@code length} floats cut into {@code slices} contiguous slices whose sizes differ by at most one:
 * slice k is {@code [from(k), from(k + 1))}.
 */
public record SliceLayout(int length, int slices) implements Serializable {

    public SliceLayout {
        if (length < 0 || slices < 1) {
            throw new IllegalArgumentException("a slice layout needs a length >= 0 and at least one slice, got "
                    + length + " and " + slices);
        }
    }

    /** First index of slice {@code k} (k = slices gives the length). */
    public int from(int k) {
        return (int) ((long) length * k / slices);
    }

    public int size(int k) {
        return from(k + 1) - from(k);
    }
}
