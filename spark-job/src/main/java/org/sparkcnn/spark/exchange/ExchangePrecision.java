package org.sparkcnn.spark.exchange;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * How the floats of an exchange block are stored ({@code --exchange-precision}): as they are (4 bytes, the exact
 * path) or rounded to {@link Bfloat16} (2 bytes). Blocks are little-endian either way.
 */
public enum ExchangePrecision {
    FP32(4),
    BF16(2);

    private final int bytes;

    ExchangePrecision(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes one value takes in a block. */
    public int bytesPerValue() {
        return bytes;
    }

    public static ExchangePrecision parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown exchange precision '" + s + "': use fp32 or bf16");
        }
    }

    /** {@code v} as a block's bytes. */
    ByteBuffer encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (this == FP32) {
            b.asFloatBuffer().put(v);
        } else {
            for (float f : v) {
                b.putShort(Bfloat16.round(f));
            }
            b.flip();
        }
        return b;
    }

    /**
     * Values {@code [from, to)} of {@code parts} laid end to end, as fp32 block bytes: the bytes {@link #encode} gives
     * for the same values, copied from the buffers (off-heap ones included) in bulk, with no heap array between.
     * Each part is read from its position to its limit.
     */
    static ByteBuffer fp32(FloatBuffer[] parts, int from, int to) {
        ByteBuffer b = ByteBuffer.allocate((to - from) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer out = b.asFloatBuffer();
        int start = 0;                                 // index of parts[i]'s first value in the whole
        for (FloatBuffer part : parts) {
            int n = part.remaining();
            int lo = Math.max(from, start);
            int hi = Math.min(to, start + n);
            if (lo < hi) {
                out.put(part.slice(part.position() + lo - start, hi - lo));
            }
            start += n;
        }
        if (out.hasRemaining()) {
            throw new IllegalArgumentException("values [" + from + ", " + to + ") of " + start);
        }
        return b;
    }

    /** The floats of an fp32 block's bytes, in place (from its position to its limit). */
    static FloatBuffer fp32View(ByteBuffer block) {
        return block.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    /** The values of a block's bytes. */
    float[] decode(ByteBuffer block) {
        ByteBuffer b = block.order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / bytes];
        if (this == FP32) {
            fp32View(b).get(v);
        } else {
            for (int i = 0; i < v.length; i++) {
                v[i] = Bfloat16.toFloat(b.getShort());
            }
        }
        return v;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
