package org.sparkcnn.core;

import java.util.Locale;

/**
 * What a model spec costs in memory, computed from the spec alone (in {@code long}, so no product overflows)
 * before anything is allocated: its parameters and one example's activations (the input and every layer's
 * output), 4 bytes each. A spec above the limit is refused: a small model file or spec text cannot make a command
 * allocate gigabytes. The limit is the system property {@value #LIMIT_PROPERTY} (bytes, or with a k, m or g
 * suffix; default 1g); raise it with {@code -Dsparkcnn.maxModelBytes=8g} in {@code JAVA_OPTS} (the launcher) or
 * {@code spark.driver.extraJavaOptions}.
 */
public final class ModelMemory {
    /** The system property that sets the limit. */
    public static final String LIMIT_PROPERTY = "sparkcnn.maxModelBytes";
    /** The limit when the property is unset: 1 GiB, a thousand times a LeNet-5 with its activations. */
    public static final long DEFAULT_LIMIT = 1L << 30;

    private ModelMemory() { }

    /** 4 bytes for every parameter and for every value of one example's input and layer outputs. */
    public static long bytes(ModelSpec spec) {
        long values = spec.input().size();
        Shape s = spec.input();
        for (var layer : spec.layers()) {
            values = Math.addExact(values, layer.paramCount(s));
            s = layer.outputShape(s);
            values = Math.addExact(values, s.size());
        }
        return Math.multiplyExact(values, 4L);
    }

    /** The limit in force: {@value #LIMIT_PROPERTY}, or {@link #DEFAULT_LIMIT}. */
    public static long limit() {
        String v = System.getProperty(LIMIT_PROPERTY);
        return v == null || v.isBlank() ? DEFAULT_LIMIT : parseBytes(v);
    }

    /**
     * Refuses {@code spec} when {@link #bytes} exceeds {@link #limit()}, with an IllegalArgumentException naming
     * both and the property that raises the limit.
     */
    public static void check(ModelSpec spec) {
        long limit = limit();
        long bytes;
        try {
            bytes = bytes(spec);
        } catch (ArithmeticException e) {
            bytes = Long.MAX_VALUE;
        }
        if (bytes > limit) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "the model needs %s for its parameters "
                    + "and one example's activations, more than the limit of %s (-D%s raises it)",
                    size(bytes), size(limit), LIMIT_PROPERTY));
        }
    }

    /** Bytes from {@code 123}, {@code 64k}, {@code 512m} or {@code 4g}. */
    static long parseBytes(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int shift = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        try {
            long n = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1));
            if (n < 1 || n > Long.MAX_VALUE >> shift) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + LIMIT_PROPERTY + "=" + text
                    + ": not a positive size (bytes, or with a k, m or g suffix)");
        }
    }

    private static String size(long bytes) {
        return bytes == Long.MAX_VALUE ? "more than 8 EiB"
                : bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
