package org.sparkcnn.core.layers;

import org.sparkcnn.core.Shape;

import java.util.Arrays;

/**
 * The pooling windows of one image held as a heap array in NHWC order ({@link Images}), with the forward and
 * backward loops of max and average pooling. Outputs are in NHWC order (oh, ow, c); the elements
 * of a window are visited in the order (kh, kw). Max pooling records, per output, the index in its window of the
 * window's first arg-max, comparing through {@link #key(int)}.
 */
final class PoolWindows {
    private final int width;
    private final int channels;
    private final int stride;
    private final int outH;
    private final int outW;
    private final int[] offsets;   // offset of each window element from the window's first one, order (kh, kw)
    private final int[] window;    // [oW·C]: per output of a row, the index in its window of the arg-max
    private int[][] stageI;        // [k·k][oW·C]: per window position, that element of every output of a row
    private int[] bestI;           // [oW·C]

    PoolWindows(Shape in, Shape out, int kernel, int stride) {
        this.width = in.width();
        this.channels = in.channels();
        this.stride = stride;
        this.outH = out.height();
        this.outW = out.width();
        this.offsets = new int[kernel * kernel];
        this.window = new int[out.width() * channels];
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
     * place; best[r] becomes the raw bits of the maximum of output r's window and at[atBase + r] the index (in the
     * order (kh, kw)) of the window's first arg-max. Row by row of outputs, window position k of every output is
     * first copied to index r of a staging row, so the loops index all their arrays alike and the JIT vectorizes.
     */
    void max(int[] keys, int[] best, int[] at, int atBase) {
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(keys[i]);
        }
        int len = outW * channels;
        if (stageI == null) {
            stageI = new int[offsets.length][len];
            bestI = new int[len];
        }
        int[] m = bestI;
        for (int oh = 0; oh < outH; oh++) {
            for (int k = 0; k < offsets.length; k++) {
                for (int ow = 0; ow < outW; ow++) {
                    System.arraycopy(keys, first(oh, ow) + offsets[k], stageI[k], ow * channels, channels);
                }
            }
            System.arraycopy(stageI[0], 0, m, 0, len);
            for (int k = 1; k < offsets.length; k++) {
                int[] v = stageI[k];
                for (int i = 0; i < len; i++) {
                    m[i] = Math.max(m[i], v[i]);
                }
            }
            for (int k = offsets.length - 1; k >= 0; k--) {        // the last match written is the first arg-max
                int[] v = stageI[k];
                for (int i = 0; i < len; i++) {
                    int d = v[i] ^ m[i];
                    int match = ((d | -d) >>> 31) ^ 1;                  // v[i] == m[i], without a branch
                    window[i] += match * (k - window[i]);
                }
            }
            for (int i = 0; i < len; i++) {
                m[i] = key(m[i]);                                       // the key map is its own inverse
            }
            System.arraycopy(m, 0, best, oh * len, len);
            System.arraycopy(window, 0, at, atBase + oh * len, len);
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

    /** Max backward, y = x[window element at[atBase + r]]: dx = 0, then that element of output r's window += dy[r]. */
    void maxBackward(float[] dy, int[] at, int atBase, float[] dx) {
        Arrays.fill(dx, 0f);
        int r = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int f = first(oh, ow);
                for (int c = 0; c < channels; c++, r++) {
                    dx[f + c + offsets[at[atBase + r]]] += dy[r];
                }
            }
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

    /**
     * The raw bits of a float turned into an integer with the order of the floats (the negative ones flipped), or
     * back: max pooling compares these, which vectorizes and needs no branches. It ranks −0 below +0, the only pair
     * of equal floats it tells apart.
     */
    static int key(int bits) {
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }
}
