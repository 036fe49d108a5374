package org.sparkcnn.core.reference;

import org.sparkcnn.core.Shape;
import org.sparkcnn.core.layers.BatchNormSpec;

/**
 * Batch normalization on [N, C, H, W] (or [N, C]) in c-order, by the definitions: per channel c over its M = N·H·W
 * values, training uses the batch mean μ and biased variance σ², x̂ = (x − μ) / √(σ² + ε), y = γ x̂ + β, and moves
 * the running mean and variance (unbiased, × M / (M − 1)) by the momentum; inference uses the running values.
 * Parameters at the layer's offset: γ [C], β [C], running mean [C], running variance [C].
 */
final class ReferenceBatchNorm implements ReferenceLayer {
    private final BatchNormSpec spec;
    private final int channels;
    private final int spatial;
    private final int offset;
    private double[] xhat;
    private double[] invStd;

    ReferenceBatchNorm(BatchNormSpec spec, Shape in, int offset) {
        this.spec = spec;
        this.channels = in.channels();
        this.spatial = in.height() * in.width();
        this.offset = offset;
    }

    @Override
    public int paramCount() {
        return 4 * channels;
    }

    private int index(int s, int c, int p) {
        return (s * channels + c) * spatial + p;
    }

    @Override
    public double[] forward(double[] x, int n, double[] params, boolean training, long noiseSeed) {
        double[] y = new double[x.length];
        int m = n * spatial;
        xhat = new double[x.length];
        invStd = new double[channels];
        for (int c = 0; c < channels; c++) {
            double gamma = params[offset + c];
            double beta = params[offset + channels + c];
            double mean;
            double var;
            if (training) {
                double sum = 0;
                for (int s = 0; s < n; s++) {
                    for (int p = 0; p < spatial; p++) {
                        sum += x[index(s, c, p)];
                    }
                }
                mean = sum / m;
                double sq = 0;
                for (int s = 0; s < n; s++) {
                    for (int p = 0; p < spatial; p++) {
                        double d = x[index(s, c, p)] - mean;
                        sq += d * d;
                    }
                }
                var = sq / m;
                double mo = spec.momentum();
                int rm = offset + 2 * channels + c;
                int rv = offset + 3 * channels + c;
                params[rm] = (1 - mo) * params[rm] + mo * mean;
                params[rv] = (1 - mo) * params[rv] + mo * var * (m > 1 ? (double) m / (m - 1) : 1);
            } else {
                mean = params[offset + 2 * channels + c];
                var = params[offset + 3 * channels + c];
            }
            invStd[c] = 1 / Math.sqrt(var + BatchNormSpec.EPSILON);
            for (int s = 0; s < n; s++) {
                for (int p = 0; p < spatial; p++) {
                    int i = index(s, c, p);
                    xhat[i] = (x[i] - mean) * invStd[c];
                    y[i] = gamma * xhat[i] + beta;
                }
            }
        }
        return y;
    }

    @Override
    public double[] backward(double[] gradOut, int n, double[] params, double[] grads) {
        // dβ = Σ g, dγ = Σ g x̂, dx = γ / (M √(σ² + ε)) (M g − Σ g − x̂ Σ g x̂) over each channel's M values
        double[] dx = new double[gradOut.length];
        int m = n * spatial;
        for (int c = 0; c < channels; c++) {
            double sumG = 0;
            double sumGx = 0;
            for (int s = 0; s < n; s++) {
                for (int p = 0; p < spatial; p++) {
                    int i = index(s, c, p);
                    sumG += gradOut[i];
                    sumGx += gradOut[i] * xhat[i];
                }
            }
            grads[offset + c] += sumGx;
            grads[offset + channels + c] += sumG;
            double k = params[offset + c] * invStd[c] / m;
            for (int s = 0; s < n; s++) {
                for (int p = 0; p < spatial; p++) {
                    int i = index(s, c, p);
                    dx[i] = k * (m * gradOut[i] - sumG - xhat[i] * sumGx);
                }
            }
        }
        return dx;
    }
}
