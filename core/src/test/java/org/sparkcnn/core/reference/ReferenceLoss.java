package org.sparkcnn.core.reference;

/**
 * The two costs, each on the network's last output [N, K] against targets y [N, K], with the batch loss
 * L = (1/N) Σ_n L_n and its gradient dL/d(out) written out from the definition.
 */
enum ReferenceLoss {
    /** On the logits z: L_n = −Σ_k y_nk log softmax(z_n)_k. */
    SOFTMAX_CROSS_ENTROPY {
        @Override
        double[] exampleLosses(double[] z, double[] y, int n) {
            int k = z.length / n;
            double[] losses = new double[n];
            for (int s = 0; s < n; s++) {
                double[] p = ReferenceActivation.softmax(z, s * k, k);
                for (int j = 0; j < k; j++) {
                    losses[s] -= y[s * k + j] * Math.log(p[j]);
                }
            }
            return losses;
        }

        @Override
        double[] gradient(double[] z, double[] y, int n) {
            // dL_n/dz_j = Σ_k −y_k (([j = k] − p_j)) = p_j Σ_k y_k − y_j, then the 1/N of the mean
            int k = z.length / n;
            double[] g = new double[z.length];
            for (int s = 0; s < n; s++) {
                double[] p = ReferenceActivation.softmax(z, s * k, k);
                double mass = 0;
                for (int j = 0; j < k; j++) {
                    mass += y[s * k + j];
                }
                for (int j = 0; j < k; j++) {
                    g[s * k + j] = (p[j] * mass - y[s * k + j]) / n;
                }
            }
            return g;
        }
    },

    /** On the outputs a: L_n = (1/K) Σ_k (a_nk − y_nk)². */
    QUADRATIC {
        @Override
        double[] exampleLosses(double[] a, double[] y, int n) {
            int k = a.length / n;
            double[] losses = new double[n];
            for (int i = 0; i < a.length; i++) {
                losses[i / k] += (a[i] - y[i]) * (a[i] - y[i]) / k;
            }
            return losses;
        }

        @Override
        double[] gradient(double[] a, double[] y, int n) {
            double[] g = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                g[i] = 2 * (a[i] - y[i]) / a.length;           // d/da of (1/(N K)) Σ (a − y)²
            }
            return g;
        }
    };

    /** L_n for each of the n examples. */
    abstract double[] exampleLosses(double[] out, double[] y, int n);

    /** dL/d(out) of the mean L = (1/n) Σ L_n. */
    abstract double[] gradient(double[] out, double[] y, int n);

    /** The mean of the example losses. */
    double mean(double[] out, double[] y, int n) {
        double sum = 0;
        for (double l : exampleLosses(out, y, n)) {
            sum += l;
        }
        return sum / n;
    }
}
