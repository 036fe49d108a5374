package org.sparkcnn.core.reference;

import org.sparkcnn.core.layers.DenseSpec;

/** Fully connected: y[n, u] = b[u] + Σ_i x[n, i] · W[i, u], W [I, U] row-major then b [U] at the layer's offset. */
final class ReferenceDense implements ReferenceLayer {
    private final int inputs;
    private final int units;
    private final int offset;
    private double[] x;

    ReferenceDense(DenseSpec spec, int inputs, int offset) {
        this.inputs = inputs;
        this.units = spec.units();
        this.offset = offset;
    }

    @Override
    public int paramCount() {
        return inputs * units + units;
    }

    // x: [N, I] -> y: [N, U]
    @Override
    public double[] forward(double[] x, int n, double[] params, boolean training, long noiseSeed) {
        this.x = x;
        double[] y = new double[n * units];
        for (int s = 0; s < n; s++) {
            for (int u = 0; u < units; u++) {
                double sum = params[offset + inputs * units + u];
                for (int i = 0; i < inputs; i++) {
                    sum += x[s * inputs + i] * params[offset + i * units + u];
                }
                y[s * units + u] = sum;
            }
        }
        return y;
    }

    // gradOut: [N, U] -> dL/dx: [N, I]
    @Override
    public double[] backward(double[] gradOut, int n, double[] params, double[] grads) {
        // y = b + x·W  =>  db[u] += g[u],  dW[i, u] += x[i] g[u],  dx[i] = Σ_u g[u] W[i, u]
        double[] dx = new double[n * inputs];
        for (int s = 0; s < n; s++) {
            for (int u = 0; u < units; u++) {
                double g = gradOut[s * units + u];
                grads[offset + inputs * units + u] += g;
                for (int i = 0; i < inputs; i++) {
                    grads[offset + i * units + u] += x[s * inputs + i] * g;
                    dx[s * inputs + i] += g * params[offset + i * units + u];
                }
            }
        }
        return dx;
    }
}
