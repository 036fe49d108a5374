package org.sparkcnn.core;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training cost on the network's last output {@code out} [N, K] against targets {@code y} [N, K] (one-hot for
 * classification): the per-example losses L_n, their mean L = (1/N) Σ_n L_n and its gradient dL/d(out). Training
 * ({@link Network#gradient}) and scoring ({@link Network#score}, hence every evaluation) both go through it.
 */
public sealed interface LossFunction permits SoftmaxCrossEntropy, Quadratic {

    /** Whether {@code out} is the logits before the model's final softmax, which this loss applies itself. */
    boolean takesLogits();

    /** L_n for each of the N examples. */
    double[] exampleLosses(INDArray out, INDArray y);

    /** The mean loss L = (1/N) Σ_n L_n; writes dL/d(out) into {@code grad} (a c-order float [N, K]). */
    double lossAndGradient(INDArray out, INDArray y, INDArray grad);
}
