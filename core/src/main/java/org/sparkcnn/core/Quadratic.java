package org.sparkcnn.core;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * Mean squared error (DL4J's MSE) of the outputs a [N, K]: L_n = (1/K) Σ_k (a_nk − y_nk)², so the batch mean is
 * L = (1/(N K)) Σ (a − y)² and dL/da = 2 (a − y) / (N K). The gradient is computed in float (the difference, then
 * times the float constant 2/(N K)); the losses are summed in double.
 */
public final class Quadratic implements LossFunction {
    static final Quadratic INSTANCE = new Quadratic();

    private Quadratic() { }

    @Override
    public boolean takesLogits() {
        return false;
    }

    // a: [N, K], y: [N, K] -> [N]
    @Override
    public double[] exampleLosses(INDArray out, INDArray y) {
        int n = (int) out.size(0);
        int k = (int) out.size(1);
        float[] a = out.dup('c').data().asFloat();
        float[] t = y.dup('c').data().asFloat();
        double[] losses = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                double d = a[i * k + j] - t[i * k + j];
                sum += d * d;
            }
            losses[i] = sum / k;
        }
        return losses;
    }

    // a: [N, K], y: [N, K] -> L, grad: [N, K]
    @Override
    public double lossAndGradient(INDArray out, INDArray y, INDArray grad) {
        float[] a = out.dup('c').data().asFloat();
        float[] t = y.dup('c').data().asFloat();
        FloatBuffer g = grad.data().asNioFloat();
        float scale = (float) (2.0 / a.length);
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            float d = a[i] - t[i];
            sum += (double) d * d;
            // L = (1/(N K)) Σ (a - y)^2  =>  dL/da = 2 (a - y) / (N K)
            g.put(i, d * scale);
        }
        return sum / a.length;
    }
}
