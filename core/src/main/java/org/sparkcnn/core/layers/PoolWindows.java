package org.sparkcnn.core.layers;

import org.sparkcnn.core.Shape;

import java.util.Arrays;

/**
 * The pooling windows of one image held as a heap array in NHWC order ({@link Images}), with the forward and
 * backward loops of max and average pooling (float and double). Outputs are in NHWC order (oh, ow, c); the elements
 * of a window are visited in the order (kh, kw). Max pooling records, per output, the offset in the image of the
 * first arg-max of its window, comparing through {@link #key(float)}.
 */
final class PoolWindows {
    private final int width;
    private final int channels;
    private final int stride;
    private final int outH;
    private final int outW;
    private final int[] offsets;   // offset of each window element from the window's first one, order (kh, kw)

    PoolWindows(Shape in, Shape out, int kernel, int stride) {
        this.width = in.width();
        this.channels = in.channels();
        this.stride = stride;
        this.outH = out.height();
        this.outW = out.width();
        this.offsets = new int[kernel * kernel];
        for (int i = 0; i < kernel; i++) {
            for (int k = 0; k < kernel; k++) {
                offsets[i * kernel + k] = (i * width + k) * channels;
            }
        }
    }

    /** Offset in the image of the first element of the window of output pixel (oh, ow), channel 0. */
    private int first(int oh, int ow) {
        return (oh * stride * width + ow * stride) * channels;
    }

    /** y[r] = max of output r's window of x; at[atBase + r] = the offset in x of that window's first arg-max. */
    void max(float[] x, float[] y, int[] at, int atBase) {
        int r = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int f = first(oh, ow);
                for (int c = 0; c < channels; c++, r++) {
                    int arg = f + c;
                    int best = key(x[arg]);
                    for (int k = 1; k < offsets.length; k++) {
                        int p = f + c + offsets[k];
                        int v = key(x[p]);
                        int greater = (int) (((long) best - v) >>> 63);     // v > best, without a branch
                        best += greater * (v - best);
                        arg += greater * (p - arg);
                    }
                    y[r] = x[arg];
                    at[atBase + r] = arg;
                }
            }
        }
    }

    /** {@link #max(float[], float[], int[], int)} for doubles. */
    void max(double[] x, double[] y, int[] at, int atBase) {
        int r = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int f = first(oh, ow);
                for (int c = 0; c < channels; c++, r++) {
                    int arg = f + c;
                    long best = key(x[arg]);
                    for (int k = 1; k < offsets.length; k++) {
                        int p = f + c + offsets[k];
                        long v = key(x[p]);
                        if (v > best) {
                            best = v;
                            arg = p;
                        }
                    }
                    y[r] = x[arg];
                    at[atBase + r] = arg;
                }
            }
        }
    }

    /** y[r] = mean of output r's window of x (summed in window order). */
    void average(float[] x, float[] y) {
        float scale = 1f / offsets.length;
        int r = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int f = first(oh, ow);
                for (int c = 0; c < channels; c++, r++) {
                    float sum = 0;
                    for (int o : offsets) {
                        sum += x[f + c + o];
                    }
                    y[r] = sum * scale;
                }
            }
        }
    }

    /** {@link #average(float[], float[])} for doubles. */
    void average(double[] x, double[] y) {
        double scale = 1.0 / offsets.length;
        int r = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int f = first(oh, ow);
                for (int c = 0; c < channels; c++, r++) {
                    double sum = 0;
                    for (int o : offsets) {
                        sum += x[f + c + o];
                    }
                    y[r] = sum * scale;
                }
            }
        }
    }

    /** Max backward, y = x[arg]: dx = 0, then dx[at[atBase + r]] += dy[r]. */
    static void maxBackward(float[] dy, int[] at, int atBase, float[] dx) {
        Arrays.fill(dx, 0f);
        for (int r = 0; r < dy.length; r++) {
            dx[at[atBase + r]] += dy[r];
        }
    }

    /** {@link #maxBackward(float[], int[], int, float[])} for doubles. */
    static void maxBackward(double[] dy, int[] at, int atBase, double[] dx) {
        Arrays.fill(dx, 0.0);
        for (int r = 0; r < dy.length; r++) {
            dx[at[atBase + r]] += dy[r];
        }
    }

    /** Average backward, y = mean(window): dx = 0, then every element of output r's window gets dy[r] / (k·k). */
    void averageBackward(float[] dy, float[] dx) {
        Arrays.fill(dx, 0f);
        float scale = 1f / offsets.length;
        int r = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int f = first(oh, ow);
                for (int c = 0; c < channels; c++, r++) {
                    float g = dy[r] * scale;
                    for (int o : offsets) {
                        dx[f + c + o] += g;
                    }
                }
            }
        }
    }

    /** {@link #averageBackward(float[], float[])} for doubles. */
    void averageBackward(double[] dy, double[] dx) {
        Arrays.fill(dx, 0.0);
        double scale = 1.0 / offsets.length;
        int r = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int f = first(oh, ow);
                for (int c = 0; c < channels; c++, r++) {
                    double g = dy[r] * scale;
                    for (int o : offsets) {
                        dx[f + c + o] += g;
                    }
                }
            }
        }
    }

    /**
     * An integer with the order of the floats (IEEE 754 bits, the negative ones flipped): max pooling compares
     * these, which the JIT compiles without branches (a float compare on a coin toss costs a mispredicted branch).
     * It ranks −0 below +0, the only pair of equal floats it tells apart.
     */
    static int key(float v) {
        int b = Float.floatToRawIntBits(v);
        return b ^ ((b >> 31) & 0x7fffffff);
    }

    /** {@link #key(float)} for doubles. */
    static long key(double v) {
        long b = Double.doubleToRawLongBits(v);
        return b ^ ((b >> 63) & 0x7fffffffffffffffL);
    }
}
