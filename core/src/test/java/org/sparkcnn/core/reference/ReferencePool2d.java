package org.sparkcnn.core.reference;

import org.sparkcnn.core.Shape;
import org.sparkcnn.core.layers.Pool2dSpec;

/**
 * Max or average pooling over k×k windows with stride s, per channel, no padding: window (oh, ow) covers rows
 * oh·s .. oh·s + k − 1 and columns ow·s .. ow·s + k − 1. Max pooling routes each output's gradient to the first
 * maximum of its window in row-major order.
 */
final class ReferencePool2d implements ReferenceLayer {
    private final Pool2dSpec spec;
    private final Shape in;
    private final Shape out;
    private int[] argMax;          // per output, the index in x of its window's maximum

    ReferencePool2d(Pool2dSpec spec, Shape in) {
        this.spec = spec;
        this.in = in;
        this.out = spec.outputShape(in);
    }

    private int input(int n, int c, int h, int w) {
        return ((n * in.channels() + c) * in.height() + h) * in.width() + w;
    }

    // x: [N, C, H, W] -> y: [N, C, oH, oW]
    @Override
    public double[] forward(double[] x, int n, double[] params, boolean training, long noiseSeed) {
        int k = spec.kernel();
        double[] y = new double[n * out.size()];
        argMax = new int[y.length];
        int r = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < in.channels(); c++) {
                for (int oh = 0; oh < out.height(); oh++) {
                    for (int ow = 0; ow < out.width(); ow++, r++) {
                        double sum = 0;
                        int best = input(i, c, oh * spec.stride(), ow * spec.stride());
                        for (int kh = 0; kh < k; kh++) {
                            for (int kw = 0; kw < k; kw++) {
                                int at = input(i, c, oh * spec.stride() + kh, ow * spec.stride() + kw);
                                sum += x[at];
                                if (x[at] > x[best]) {
                                    best = at;
                                }
                            }
                        }
                        argMax[r] = best;
                        y[r] = spec.max() ? x[best] : sum / (k * k);
                    }
                }
            }
        }
        return y;
    }

    // gradOut: [N, C, oH, oW] -> dL/dx: [N, C, H, W]
    @Override
    public double[] backward(double[] gradOut, int n, double[] params, double[] grads) {
        int k = spec.kernel();
        double[] dx = new double[n * in.size()];
        int r = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < in.channels(); c++) {
                for (int oh = 0; oh < out.height(); oh++) {
                    for (int ow = 0; ow < out.width(); ow++, r++) {
                        if (spec.max()) {
                            dx[argMax[r]] += gradOut[r];                  // y = x[argMax]
                            continue;
                        }
                        for (int kh = 0; kh < k; kh++) {                  // y = (1/k²) Σ x over the window
                            for (int kw = 0; kw < k; kw++) {
                                dx[input(i, c, oh * spec.stride() + kh, ow * spec.stride() + kw)] += gradOut[r] / (k * k);
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }
}
