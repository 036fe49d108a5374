package org.sparkcnn.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Shape;

import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Random geometric augmentation of training images, drawn per example from a seeded stream: a shift of up to
 * {@code maxShift} pixels each way, a rotation of up to ±{@code maxRotationDegrees}, a scaling by a factor in
 * [1 − maxScale, 1 + maxScale] about the centre, and a horizontal flip with probability ½. Every output pixel is
 * read from the source by the inverse transform with bilinear interpolation, zero outside the image; all channels
 * move together. Text form: {@code shift2,rotate10,scale0.1,flip} (any subset), or {@code none}.
 *
 * @param maxShift           largest shift in pixels, each axis
 * @param maxRotationDegrees largest rotation
 * @param maxScale           largest relative change of size, in [0, 0.5]
 * @param flip               flip left-right half the time
 */
public record Augmentation(int maxShift, double maxRotationDegrees, double maxScale, boolean flip)
        implements Serializable {
    public static final Augmentation NONE = new Augmentation(0, 0, 0, false);

    public Augmentation {
        if (maxShift < 0 || !(maxRotationDegrees >= 0 && maxRotationDegrees <= 180)
                || !(maxScale >= 0 && maxScale <= 0.5)) {
            throw new IllegalArgumentException("augmentation needs shift >= 0, rotation in [0, 180] degrees and "
                    + "scale in [0, 0.5], got " + this);
        }
    }

    /** {@code none}, or comma-separated {@code shiftK}, {@code rotateD}, {@code scaleF}, {@code flip}. */
    public static Augmentation parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("none")) {
            return NONE;
        }
        int shift = 0;
        double rotate = 0;
        double scale = 0;
        boolean flip = false;
        for (String token : t.split("\\s*,\\s*")) {
            try {
                if (token.startsWith("shift")) {
                    shift = Integer.parseInt(token.substring(5));
                } else if (token.startsWith("rotate")) {
                    rotate = Double.parseDouble(token.substring(6));
                } else if (token.startsWith("scale")) {
                    scale = Double.parseDouble(token.substring(5));
                } else if (token.equals("flip")) {
                    flip = true;
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unknown augmentation '" + token + "' (shiftK, rotateD, scaleF, "
                        + "flip, comma-separated, or none)");
            }
        }
        return new Augmentation(shift, rotate, scale, flip);
    }

    public boolean isNone() {
        return equals(NONE);
    }

    /** The text form ({@link #parse} gives it back). */
    public String toText() {
        if (isNone()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        if (maxShift > 0) {
            b.append(",shift").append(maxShift);
        }
        if (maxRotationDegrees > 0) {
            b.append(",rotate").append(maxRotationDegrees);
        }
        if (maxScale > 0) {
            b.append(",scale").append(maxScale);
        }
        if (flip) {
            b.append(",flip");
        }
        return b.substring(1);
    }

    /**
     * Augments the examples of x [n, C, H, W] (c-order FLOAT, offset 0) in place; example i draws from the stream
     * {@code Seeds.mix(seed, first + i)}, so a batch split over threads augments each example as the whole batch
     * would.
     */
    public void apply(INDArray x, Shape shape, int first, long seed) {
        if (isNone()) {
            return;
        }
        FloatBuffer buf = x.data().asNioFloat();
        int per = shape.size();
        int n = (int) x.size(0);
        float[] src = new float[per];
        float[] dst = new float[per];
        for (int i = 0; i < n; i++) {
            buf.position(i * per);
            buf.get(src);
            transform(src, dst, shape, new SplittableRandom(Seeds.mix(seed, first + i)));
            buf.position(i * per);
            buf.put(dst);
        }
        buf.rewind();
    }

    /** One example: dst = src under a transform drawn from {@code rng}. */
    void transform(float[] src, float[] dst, Shape s, SplittableRandom rng) {
        int h = s.height();
        int w = s.width();
        double dx = maxShift > 0 ? rng.nextInt(-maxShift, maxShift + 1) : 0;
        double dy = maxShift > 0 ? rng.nextInt(-maxShift, maxShift + 1) : 0;
        double angle = maxRotationDegrees > 0 ? Math.toRadians(rng.nextDouble(-maxRotationDegrees,
                maxRotationDegrees)) : 0;
        double k = maxScale > 0 ? rng.nextDouble(1 - maxScale, 1 + maxScale) : 1;
        boolean mirror = flip && rng.nextBoolean();
        double cy = (h - 1) / 2.0;
        double cx = (w - 1) / 2.0;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                // output p = centre + shift + k·R(angle)·(q − centre); q = centre + R(−angle)·(p − centre − shift)/k
                double px = (mirror ? w - 1 - c : c) - cx - dx;
                double py = r - cy - dy;
                double qx = cx + (cos * px + sin * py) / k;
                double qy = cy + (-sin * px + cos * py) / k;
                for (int ch = 0; ch < s.channels(); ch++) {
                    dst[ch * h * w + r * w + c] = bilinear(src, ch * h * w, h, w, qy, qx);
                }
            }
        }
    }

    /** The plane at {@code base} sampled at (y, x), zero outside. */
    private static float bilinear(float[] a, int base, int h, int w, double y, double x) {
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(x);
        double fy = y - y0;
        double fx = x - x0;
        double v = 0;
        v += (1 - fy) * (1 - fx) * at(a, base, h, w, y0, x0);
        v += (1 - fy) * fx * at(a, base, h, w, y0, x0 + 1);
        v += fy * (1 - fx) * at(a, base, h, w, y0 + 1, x0);
        v += fy * fx * at(a, base, h, w, y0 + 1, x0 + 1);
        return (float) v;
    }

    private static float at(float[] a, int base, int h, int w, int y, int x) {
        return y < 0 || y >= h || x < 0 || x >= w ? 0 : a[base + y * w + x];
    }
}
