package org.sparkcnn.core.layers;

import org.sparkcnn.core.Shape;

import java.util.Arrays;

/**
 * im2col and its adjoint col2im for one image held as a heap array in NHWC order ({@link Images}). A patch is laid
 * out in the order (kh, kw, c), so each kernel row of a window is one contiguous run of kW·C input values (clipped
 * where the window hangs over the zero padding). Each column row is the patch followed by a constant 1 (the bias
 * input), so rows are P + 1 long for a patch of P = kH·kW·C values.
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
    private final int patch;       // P = kH·kW·C
    private final boolean padded;
    private final float[] stage;   // [H·W·C], for scatter

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
        this.patch = kernelH * kernelW * channels;
        this.stage = new float[in.size()];
        this.padded = padH > 0 || padW > 0 || (outH - 1) * stride + kernelH > height
                || (outW - 1) * stride + kernelW > width;
    }

    /** Length of the column matrix of one image, [oH·oW, P + 1]. */
    int columnLength() {
        return outH * outW * (patch + 1);
    }

    /**
     * im2col: col[r·(P+1) + (kh·kW + kw)·C + c] = x[oh·s − padH + kh, ow·s − padW + kw, c] (0 in the padding) for
     * output pixel r = oh·oW + ow, and col[r·(P+1) + P] = 1.
     */
    void gather(float[] x, float[] col) {
        int row = patch + 1;
        if (padded) {
            Arrays.fill(col, 0f);
        }
        for (int r = 0; r < outH * outW; r++) {
            col[r * row + patch] = 1f;
        }
        int run = kernelW * channels;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int j = (oh * outW + ow) * row;
                int iw = ow * stride - padW;
                int from = Math.max(0, -iw) * channels;                     // the part of a run inside the image
                int to = Math.min(kernelW, width - iw) * channels;
                for (int kh = 0; kh < kernelH; kh++) {
                    int ih = oh * stride - padH + kh;
                    if (ih >= 0 && ih < height && from < to) {
                        System.arraycopy(x, (ih * width + iw) * channels + from, col, j + kh * run + from, to - from);
                    }
                }
            }
        }
    }

    /**
     * col2im, the adjoint of {@link #gather(float[], float[])} on the patch entries: dx = 0, then each patch entry
     * of col adds into the input it was gathered from (the bias entries are ignored). Each run is first copied to
     * the same offsets of a staging array as its target, so the adding loop indexes both arrays alike, which the JIT
     * vectorizes.
     */
    void scatter(float[] col, float[] dx) {
        Arrays.fill(dx, 0f);
        int row = patch + 1;
        int run = kernelW * channels;
        for (int oh = 0; oh < outH; oh++) {
            int first = oh * outW * row;
            for (int kh = 0; kh < kernelH; kh++) {
                int ih = oh * stride - padH + kh;
                if (ih < 0 || ih >= height) {
                    continue;
                }
                for (int ow = 0; ow < outW; ow++) {
                    int iw = ow * stride - padW;
                    int from = Math.max(0, -iw) * channels;
                    int to = Math.min(kernelW, width - iw) * channels;
                    int src = first + ow * row + kh * run;
                    int dst = (ih * width + iw) * channels;
                    if (from < to) {
                        System.arraycopy(col, src + from, stage, dst + from, to - from);
                    }
                    for (int k = dst + from; k < dst + to; k++) {
                        dx[k] += stage[k];
                    }
                }
            }
        }
    }
}
