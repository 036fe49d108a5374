package org.sparkcnn.core.reference;

import org.sparkcnn.core.Shape;
import org.sparkcnn.core.layers.Conv2dSpec;

/**
 * Direct 2-D convolution (cross-correlation, as every framework computes it), one output value at a time:
 * y[n, f, oh, ow] = b[f] + Σ_{c, kh, kw} W[f, c, kh, kw] · x[n, c, oh·s − padTop + kh, ow·s − padLeft + kw], with
 * x = 0 outside the image. W [F, C, kH, kW] then b [F] at the layer's offset of the flat vector. "Same" padding puts
 * the odd extra row (column) after the image.
 */
final class ReferenceConv2d implements ReferenceLayer {
    private final Conv2dSpec spec;
    private final Shape in;
    private final Shape out;
    private final int offset;
    private final int padTop;
    private final int padLeft;
    private double[] x;

    ReferenceConv2d(Conv2dSpec spec, Shape in, int offset) {
        this.spec = spec;
        this.in = in;
        this.out = spec.outputShape(in);
        this.offset = offset;
        this.padTop = Math.max(0, (out.height() - 1) * spec.stride() + spec.kernelH() - in.height()) / 2;
        this.padLeft = Math.max(0, (out.width() - 1) * spec.stride() + spec.kernelW() - in.width()) / 2;
    }

    @Override
    public int paramCount() {
        return spec.filters() * in.channels() * spec.kernelH() * spec.kernelW() + spec.filters();
    }

    private int weight(int f, int c, int kh, int kw) {
        return offset + ((f * in.channels() + c) * spec.kernelH() + kh) * spec.kernelW() + kw;
    }

    private int bias(int f) {
        return offset + spec.filters() * in.channels() * spec.kernelH() * spec.kernelW() + f;
    }

    /** Index of x[n, c, h, w], or −1 in the padding. */
    private int input(int n, int c, int h, int w) {
        if (h < 0 || h >= in.height() || w < 0 || w >= in.width()) {
            return -1;
        }
        return ((n * in.channels() + c) * in.height() + h) * in.width() + w;
    }

    private int output(int n, int f, int oh, int ow) {
        return ((n * out.channels() + f) * out.height() + oh) * out.width() + ow;
    }

    // x: [N, C, H, W] -> y: [N, F, oH, oW]
    @Override
    public double[] forward(double[] x, int n, double[] params, boolean training, long noiseSeed) {
        this.x = x;
        double[] y = new double[n * out.size()];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < out.channels(); f++) {
                for (int oh = 0; oh < out.height(); oh++) {
                    for (int ow = 0; ow < out.width(); ow++) {
                        double sum = params[bias(f)];
                        for (int c = 0; c < in.channels(); c++) {
                            for (int kh = 0; kh < spec.kernelH(); kh++) {
                                for (int kw = 0; kw < spec.kernelW(); kw++) {
                                    int at = input(i, c, oh * spec.stride() - padTop + kh,
                                            ow * spec.stride() - padLeft + kw);
                                    if (at >= 0) {
                                        sum += params[weight(f, c, kh, kw)] * x[at];
                                    }
                                }
                            }
                        }
                        y[output(i, f, oh, ow)] = sum;
                    }
                }
            }
        }
        return y;
    }

    // gradOut: [N, F, oH, oW] -> dL/dx: [N, C, H, W]
    @Override
    public double[] backward(double[] gradOut, int n, double[] params, double[] grads) {
        // y = b[f] + Σ W[f, c, kh, kw] · x[at]  =>  db[f] += g,  dW[f, c, kh, kw] += g · x[at],  dx[at] += g · W
        double[] dx = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < out.channels(); f++) {
                for (int oh = 0; oh < out.height(); oh++) {
                    for (int ow = 0; ow < out.width(); ow++) {
                        double g = gradOut[output(i, f, oh, ow)];
                        grads[bias(f)] += g;
                        for (int c = 0; c < in.channels(); c++) {
                            for (int kh = 0; kh < spec.kernelH(); kh++) {
                                for (int kw = 0; kw < spec.kernelW(); kw++) {
                                    int at = input(i, c, oh * spec.stride() - padTop + kh,
                                            ow * spec.stride() - padLeft + kw);
                                    if (at >= 0) {
                                        grads[weight(f, c, kh, kw)] += g * x[at];
                                        dx[at] += g * params[weight(f, c, kh, kw)];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }
}
