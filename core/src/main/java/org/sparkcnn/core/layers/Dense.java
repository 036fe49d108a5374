package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.core.Shape;

import java.util.SplittableRandom;

/** Fully connected layer z = x·W + b. W: [I, U] row-major, b: [U]; the activation is a separate layer. */
final class Dense implements Layer {
    private final DenseSpec spec;
    private final int inputs;
    private INDArray weights;
    private INDArray bias;
    private INDArray gradWeights;
    private INDArray gradBias;
    private INDArray x;        // cached input [N, I]
    private INDArray z;        // [N, U]
    private INDArray gradIn;   // [N, I]
    private final RowVectors rows;

    Dense(DenseSpec spec, Shape in) {
        this.spec = spec;
        this.inputs = in.size();
        this.rows = new RowVectors();
    }

    @Override
    public void bind(INDArray params, INDArray grads) {
        long nw = (long) inputs * spec.units();
        weights = params.get(NDArrayIndex.interval(0, nw)).reshape('c', inputs, spec.units());
        bias = params.get(NDArrayIndex.interval(nw, nw + spec.units())).reshape('c', 1, spec.units());
        gradWeights = grads.get(NDArrayIndex.interval(0, nw)).reshape('c', inputs, spec.units());
        gradBias = grads.get(NDArrayIndex.interval(nw, nw + spec.units())).reshape('c', 1, spec.units());
    }

    @Override
    public void initialize(SplittableRandom rng) {
        float[] w = new float[(int) weights.length()];
        spec.init().fill(w, inputs, spec.units(), rng);
        Buffers.assign(weights, w);
        bias.assign(spec.biasInit());
    }

    // x: [N, I] -> z: [N, U]
    @Override
    public INDArray forward(INDArray input, boolean training, long noiseSeed) {
        x = input;
        z = Buffers.reuse(z, input.size(0), spec.units());
        rows.fillRows(z, bias);
        Nd4j.gemm(x, weights, z, false, false, 1.0, 1.0);           // z = b + x·W
        return z;
    }

    // gradOut = dL/dz: [N, U] -> dL/dx: [N, I]
    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        // z = x·W + b  =>  dW += x^T·g,  db += column sums of g,  dx = g·W^T
        Nd4j.gemm(x, gradOut, gradWeights, true, false, 1.0, 1.0);
        rows.addColumnSums(gradOut, gradBias);
        if (!needInputGrad) {
            return null;
        }
        gradIn = Buffers.reuse(gradIn, gradOut.size(0), inputs);
        Nd4j.gemm(gradOut, weights, gradIn, false, true, 1.0, 0.0);
        return gradIn;
    }
}
