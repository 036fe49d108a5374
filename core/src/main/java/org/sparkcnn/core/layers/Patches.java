package org.sparkcnn.core.layers;

import org.sparkcnn.core.Shape;

import java.util.Arrays;

/**
 * im2col and its adjoint col2im for one image held as a heap array in NHWC order ({@link Images}). A patch is laid
 * out in the order (kh, kw, c), so each kernel row of a window is one contiguous run of kW·C input values (clipped
 * where the window hangs over the zero padding) and both directions move whole runs.
 */
final class Patches {
    private final int height;
    private final int width;
    private final int channels;
    private final int kernelH;
    private final int kernelW;
    private final int stride;
    private final int padH;
    private final int padW;
    private final int outH;
    private final int outW;

    Patches(Shape in, Shape out, int kernelH, int kernelW, int stride, int padH, int padW) {
        this.height = in.height();
        this.width = in.width();
        this.channels = in.channels();
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.stride = stride;
        this.padH = padH;
        this.padW = padW;
        this.outH = out.height();
        this.outW = out.width();
    }

    /** Length of the column matrix of one image, [oH·oW, kH·kW·C]. */
    int columnLength() {
        return outH * outW * kernelH * kernelW * channels;
    }

    /** im2col: col[(oh·oW + ow)·P + (kh·kW + kw)·C + c] = x[oh·s − padH + kh, ow·s − padW + kw, c], 0 in the padding. */
    void gather(float[] x, float[] col) {
        int run = kernelW * channels;
        int j = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int iw = ow * stride - padW;
                int from = Math.max(0, -iw) * channels;                     // the run's part inside the image
                int to = Math.min(kernelW, width - iw) * channels;
                for (int kh = 0; kh < kernelH; kh++, j += run) {
                    int ih = oh * stride - padH + kh;
                    if (ih < 0 || ih >= height || from >= to) {
                        Arrays.fill(col, j, j + run, 0f);
                        continue;
                    }
                    int src = (ih * width + iw) * channels;
                    if (from > 0 || to < run) {
                        Arrays.fill(col, j, j + run, 0f);
                    }
                    if (to - from < 32) {
                        for (int k = from; k < to; k++) {
                            col[j + k] = x[src + k];
                        }
                    } else {
                        System.arraycopy(x, src + from, col, j + from, to - from);
                    }
                }
            }
        }
    }

    /** {@link #gather(float[], float[])} for doubles. */
    void gather(double[] x, double[] col) {
        int run = kernelW * channels;
        int j = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int iw = ow * stride - padW;
                int from = Math.max(0, -iw) * channels;
                int to = Math.min(kernelW, width - iw) * channels;
                for (int kh = 0; kh < kernelH; kh++, j += run) {
                    int ih = oh * stride - padH + kh;
                    if (ih < 0 || ih >= height || from >= to) {
                        Arrays.fill(col, j, j + run, 0.0);
                        continue;
                    }
                    int src = (ih * width + iw) * channels;
                    if (from > 0 || to < run) {
                        Arrays.fill(col, j, j + run, 0.0);
                    }
                    System.arraycopy(x, src + from, col, j + from, to - from);
                }
            }
        }
    }

    /** col2im, the adjoint of {@link #gather(float[], float[])}: dx = 0, then each column entry adds into its input. */
    void scatter(float[] col, float[] dx) {
        Arrays.fill(dx, 0f);
        int run = kernelW * channels;
        int j = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int iw = ow * stride - padW;
                int from = Math.max(0, -iw) * channels;
                int to = Math.min(kernelW, width - iw) * channels;
                for (int kh = 0; kh < kernelH; kh++, j += run) {
                    int ih = oh * stride - padH + kh;
                    if (ih < 0 || ih >= height) {
                        continue;
                    }
                    int dst = (ih * width + iw) * channels;
                    for (int k = from; k < to; k++) {
                        dx[dst + k] += col[j + k];
                    }
                }
            }
        }
    }

    /** {@link #scatter(float[], float[])} for doubles. */
    void scatter(double[] col, double[] dx) {
        Arrays.fill(dx, 0.0);
        int run = kernelW * channels;
        int j = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int iw = ow * stride - padW;
                int from = Math.max(0, -iw) * channels;
                int to = Math.min(kernelW, width - iw) * channels;
                for (int kh = 0; kh < kernelH; kh++, j += run) {
                    int ih = oh * stride - padH + kh;
                    if (ih < 0 || ih >= height) {
                        continue;
                    }
                    int dst = (ih * width + iw) * channels;
                    for (int k = from; k < to; k++) {
                        dx[dst + k] += col[j + k];
                    }
                }
            }
        }
    }
}
