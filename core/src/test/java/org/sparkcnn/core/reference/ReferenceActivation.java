package org.sparkcnn.core.reference;

import org.sparkcnn.core.Activation;

/**
 * An activation, element by element (softmax: row by row of an [N, K] batch), with its derivative written out from
 * the definition. The step function has no useful derivative and is not supported here.
 */
final class ReferenceActivation implements ReferenceLayer {
    private final Activation activation;
    private double[] y;

    ReferenceActivation(Activation activation) {
        if (activation == Activation.STEP) {
            throw new IllegalArgumentException("the step activation cannot be differentiated");
        }
        this.activation = activation;
    }

    @Override
    public double[] forward(double[] z, int n, double[] params, boolean training, long noiseSeed) {
        y = new double[z.length];
        if (activation == Activation.SOFTMAX) {
            int k = z.length / n;
            for (int s = 0; s < n; s++) {
                double[] p = softmax(z, s * k, k);
                System.arraycopy(p, 0, y, s * k, k);
            }
            return y;
        }
        for (int i = 0; i < z.length; i++) {
            y[i] = switch (activation) {
                case IDENTITY -> z[i];
                case SIGMOID -> 1 / (1 + Math.exp(-z[i]));
                case TANH -> Math.tanh(z[i]);
                case RELU -> Math.max(0, z[i]);
                default -> throw new IllegalStateException(activation.toString());
            };
        }
        return y;
    }

    @Override
    public double[] backward(double[] gradOut, int n, double[] params, double[] grads) {
        double[] dz = new double[gradOut.length];
        if (activation == Activation.SOFTMAX) {
            // y_j = e^z_j / Σ_i e^z_i: dy_j/dz_i = y_j ([i = j] − y_i), so dz_i = Σ_j g_j y_j ([i = j] − y_i)
            int k = gradOut.length / n;
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        double jacobian = y[s * k + j] * ((i == j ? 1 : 0) - y[s * k + i]);
                        dz[s * k + i] += gradOut[s * k + j] * jacobian;
                    }
                }
            }
            return dz;
        }
        for (int i = 0; i < dz.length; i++) {
            double slope = switch (activation) {
                case IDENTITY -> 1;
                case SIGMOID -> y[i] * (1 - y[i]);          // σ' = σ (1 − σ)
                case TANH -> 1 - y[i] * y[i];               // tanh' = 1 − tanh²
                case RELU -> y[i] > 0 ? 1 : 0;
                default -> throw new IllegalStateException(activation.toString());
            };
            dz[i] = gradOut[i] * slope;
        }
        return dz;
    }

    /** softmax of z[from .. from + k), shifted by the maximum. */
    static double[] softmax(double[] z, int from, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, z[from + j]);
        }
        double[] p = new double[k];
        double sum = 0;
        for (int j = 0; j < k; j++) {
            p[j] = Math.exp(z[from + j] - max);
            sum += p[j];
        }
        for (int j = 0; j < k; j++) {
            p[j] /= sum;
        }
        return p;
    }
}
