package org.sparkcnn.core.layers;

import org.sparkcnn.core.Shape;

import java.util.Arrays;

/**
 * The pooling windows of one image held as a heap array in NHWC order ({@link Images}), with the forward and
 * backward loops of max and average pooling (float and double). Outputs are in NHWC order (oh, ow, c); the elements
 * of a window are visited in the order (kh, kw). Max pooling records, per output, the offset in the image of the
 * first arg-max of its window, comparing through {@link #key(int)}.
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

    /**
     * Max pooling on order keys: {@code keys} holds one image as raw float bits, turned into {@link #key(int)}s in
     * place; best[r] becomes the raw bits of the maximum of output r's window and at[atBase + r] the offset in the
     * image of the window's first arg-max. A 2×2 window is unrolled (the JIT then selects without branches).
     */
    void max(int[] keys, int[] best, int[] at, int atBase) {
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(keys[i]);
        }
        boolean twoByTwo = offsets.length == 4;
        int o1 = offsets[1 % offsets.length];
        int o2 = offsets[2 % offsets.length];
        int o3 = offsets[3 % offsets.length];
        int r = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int f = first(oh, ow);
                for (int c = 0; c < channels; c++, r++) {
                    int p = f + c;
                    int m;
                    int arg;
                    if (twoByTwo) {
                        int k0 = keys[p];
                        int k1 = keys[p + o1];
                        int k2 = keys[p + o2];
                        int k3 = keys[p + o3];
                        m = Math.max(Math.max(k0, k1), Math.max(k2, k3));
                        arg = k2 == m ? p + o2 : p + o3;
                        arg = k1 == m ? p + o1 : arg;
                        arg = k0 == m ? p : arg;
                    } else {
                        m = keys[p];
                        for (int k = 1; k < offsets.length; k++) {
                            m = Math.max(m, keys[p + offsets[k]]);
                        }
                        arg = p;
                        for (int k = offsets.length - 1; k > 0; k--) {     // the last match written is the first
                            arg = keys[p + offsets[k]] == m ? p + offsets[k] : arg;
                        }
                        arg = keys[p] == m ? p : arg;
                    }
                    best[r] = key(m);         // the key map is its own inverse
                    at[atBase + r] = arg;
                }
            }
        }
    }

    /** {@link #max(int[], int[], int[], int)} on the raw bits of doubles ({@link #key(long)}). */
    void max(long[] keys, long[] best, int[] at, int atBase) {
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(keys[i]);
        }
        boolean twoByTwo = offsets.length == 4;
        int o1 = offsets[1 % offsets.length];
        int o2 = offsets[2 % offsets.length];
        int o3 = offsets[3 % offsets.length];
        int r = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int f = first(oh, ow);
                for (int c = 0; c < channels; c++, r++) {
                    int p = f + c;
                    long m;
                    int arg;
                    if (twoByTwo) {
                        long k0 = keys[p];
                        long k1 = keys[p + o1];
                        long k2 = keys[p + o2];
                        long k3 = keys[p + o3];
                        m = Math.max(Math.max(k0, k1), Math.max(k2, k3));
                        arg = k2 == m ? p + o2 : p + o3;
                        arg = k1 == m ? p + o1 : arg;
                        arg = k0 == m ? p : arg;
                    } else {
                        m = keys[p];
                        for (int k = 1; k < offsets.length; k++) {
                            m = Math.max(m, keys[p + offsets[k]]);
                        }
                        arg = p;
                        for (int k = offsets.length - 1; k > 0; k--) {
                            arg = keys[p + offsets[k]] == m ? p + offsets[k] : arg;
                        }
                        arg = keys[p] == m ? p : arg;
                    }
                    best[r] = key(m);
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
     * The raw bits of a float turned into an integer with the order of the floats (the negative ones flipped), or
     * back: max pooling compares these, which vectorizes and needs no branches. It ranks −0 below +0, the only pair
     * of equal floats it tells apart.
     */
    static int key(int bits) {
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** {@link #key(int)} for the raw bits of doubles. */
    static long key(long bits) {
        return bits ^ ((bits >> 63) & 0x7fffffffffffffffL);
    }
}
