package org.sparkcnn.core;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * Cross-entropy of the softmax of the logits z [N, K]: L_n = −Σ_k y_nk log softmax(z_n)_k, computed in double as
 * log softmax(z_n)_k = z_nk − logsumexp(z_n) with the sum shifted by the row maximum (never log 0). With the mean
 * over the batch, dL/dz = (softmax(z) − y) / N (the softmax and its Jacobian fused, as in every framework).
 */
public final class SoftmaxCrossEntropy implements LossFunction {
    static final SoftmaxCrossEntropy INSTANCE = new SoftmaxCrossEntropy();

    private SoftmaxCrossEntropy() { }

    @Override
    public boolean takesLogits() {
        return true;
    }

    // z: [N, K] logits, y: [N, K] -> [N]
    @Override
    public double[] exampleLosses(INDArray logits, INDArray y) {
        int n = (int) logits.size(0);
        int k = (int) logits.size(1);
        double[] z = logits.dup('c').data().asDouble();
        double[] t = y.dup('c').data().asDouble();
        double[] losses = new double[n];
        for (int i = 0; i < n; i++) {
            double logSum = logSumExp(z, i * k, k);
            for (int j = 0; j < k; j++) {
                losses[i] -= t[i * k + j] * (z[i * k + j] - logSum);
            }
        }
        return losses;
    }

    // z: [N, K] logits, y: [N, K] -> L, grad: [N, K]
    @Override
    public double lossAndGradient(INDArray logits, INDArray y, INDArray grad) {
        int n = (int) logits.size(0);
        int k = (int) logits.size(1);
        double[] z = logits.dup('c').data().asDouble();     // one copy each, not one per row
        double[] t = y.dup('c').data().asDouble();
        FloatBuffer g = grad.data().asNioFloat();
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double logSum = logSumExp(z, i * k, k);
            for (int j = 0; j < k; j++) {
                double logP = z[i * k + j] - logSum;
                loss -= t[i * k + j] * logP;
                // L = -(1/N) Σ y·log softmax(z)  =>  dL/dz = (softmax(z) - y) / N
                g.put(i * k + j, (float) ((Math.exp(logP) - t[i * k + j]) / n));
            }
        }
        return loss / n;
    }

    /** log Σ_j e^{z[from + j]} for j < k, shifted by the maximum. */
    private static double logSumExp(double[] z, int from, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, z[from + j]);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            sum += Math.exp(z[from + j] - max);
        }
        return max + Math.log(sum);
    }
}
