package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The sliding windows of convolution and pooling as index tables, and the loops that move data through them
 * (float and double). For one image of an [N, C, H, W] array with strides (sC, sH, sW), {@link #table} lists, in the
 * order (oh, ow, c, kh, kw), the memory offset of input element (c, oh·s − pad + kh, ow·s − pad + kw), or −1 where
 * the window hangs over the zero padding. Read row by row that order is im2col's matrix [oH·oW, C·kH·kW] (the
 * convolution's GEMM operand) and also the pooling windows [oH·oW·C, kH·kW]. Work arrays here are dense and
 * start at their buffer's first element ({@link #dense}).
 */
final class Windows {
    private Windows() { }

    /** Offsets of the windows of one image; see the class comment. */
    static int[] table(int channels, int h, int w, int kh, int kw, int stride, int padH, int padW, int oh, int ow,
                       long sC, long sH, long sW) {
        int[] t = new int[oh * ow * channels * kh * kw];
        int j = 0;
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                for (int c = 0; c < channels; c++) {
                    for (int i = 0; i < kh; i++) {
                        for (int k = 0; k < kw; k++) {
                            int ih = y * stride - padH + i;
                            int iw = x * stride - padW + k;
                            t[j++] = ih < 0 || ih >= h || iw < 0 || iw >= w ? -1
                                    : (int) (c * sC + ih * sH + iw * sW);
                        }
                    }
                }
            }
        }
        return t;
    }

    /** {@code a} itself when it starts at the first element of its own buffer, else a c-order copy. */
    static INDArray dense(INDArray a) {
        return a.offset() == 0 && a.data().offset() == 0 ? a : a.dup('c');
    }

    /** im2col: dst[n·T + j] = src[n·sN + t[j]] (0 where t[j] = −1) for n &lt; N; src [N, ...] with image stride sN. */
    static void gather(INDArray src, int[] t, INDArray dst) {
        int n = (int) src.size(0);
        int sN = (int) src.stride(0);
        int len = t.length;
        if (src.dataType() == DataType.FLOAT) {
            FloatBuffer s = src.data().asNioFloat();
            FloatBuffer d = dst.data().asNioFloat();
            for (int i = 0; i < n; i++) {
                int base = i * sN;
                int out = i * len;
                for (int j = 0; j < len; j++) {
                    int o = t[j];
                    d.put(out + j, o < 0 ? 0f : s.get(base + o));
                }
            }
        } else {
            DoubleBuffer s = src.data().asNioDouble();
            DoubleBuffer d = dst.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                int base = i * sN;
                int out = i * len;
                for (int j = 0; j < len; j++) {
                    int o = t[j];
                    d.put(out + j, o < 0 ? 0.0 : s.get(base + o));
                }
            }
        }
    }

    /** col2im, the adjoint of {@link #gather}: dst[n·sN + t[j]] += src[n·T + j] where t[j] ≥ 0. */
    static void scatterAdd(INDArray src, int[] t, INDArray dst) {
        int n = (int) dst.size(0);
        int sN = (int) dst.stride(0);
        int len = t.length;
        if (dst.dataType() == DataType.FLOAT) {
            FloatBuffer s = src.data().asNioFloat();
            FloatBuffer d = dst.data().asNioFloat();
            for (int i = 0; i < n; i++) {
                int base = i * sN;
                int in = i * len;
                for (int j = 0; j < len; j++) {
                    int o = t[j];
                    if (o >= 0) {
                        d.put(base + o, d.get(base + o) + s.get(in + j));
                    }
                }
            }
        } else {
            DoubleBuffer s = src.data().asNioDouble();
            DoubleBuffer d = dst.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                int base = i * sN;
                int in = i * len;
                for (int j = 0; j < len; j++) {
                    int o = t[j];
                    if (o >= 0) {
                        d.put(base + o, d.get(base + o) + s.get(in + j));
                    }
                }
            }
        }
    }
}
