package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Shape;

import java.util.SplittableRandom;

/**
 * 2-D convolution as im2col + one GEMM. Weights W: [F, C·kH·kW] (row f is filter f in [C, kH, kW] order),
 * bias b: [F].
 *
 * <p>The column buffer is laid out [N, oH, oW, C, kH, kW] so that it reshapes for free to the GEMM operand
 * [N·oH·oW, C·kH·kW]; the product [N·oH·oW, F] is then the output in NHWC memory, handed on as an NCHW view.
 */
final class Conv2d implements Layer {
    private final Conv2dSpec spec;
    private final Shape in;
    private final Shape out;
    private final DataType dtype;
    private final int padH;
    private final int padW;
    private INDArray weights;      // [F, C*kH*kW]
    private INDArray bias;         // [1, F]
    private INDArray gradWeights;
    private INDArray gradBias;
    private INDArray col;          // [N, oH, oW, C, kH, kW]
    private INDArray z;            // [N*oH*oW, F]
    private INDArray gradZ;        // [N*oH*oW, F]
    private INDArray gradIn;       // [N, H, W, C]

    Conv2d(Conv2dSpec spec, Shape in, DataType dtype) {
        this.spec = spec;
        this.in = in;
        this.out = spec.outputShape(in);
        this.dtype = dtype;
        this.padH = spec.padBefore(in.height(), spec.kernelH());
        this.padW = spec.padBefore(in.width(), spec.kernelW());
    }

    private int patch() {
        return in.channels() * spec.kernelH() * spec.kernelW();
    }

    @Override
    public void bind(INDArray params, INDArray grads) {
        long nw = (long) spec.filters() * patch();
        weights = params.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, nw)).reshape('c', spec.filters(), patch());
        bias = params.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(nw, nw + spec.filters())).reshape('c', 1, spec.filters());
        gradWeights = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, nw)).reshape('c', spec.filters(), patch());
        gradBias = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(nw, nw + spec.filters())).reshape('c', 1, spec.filters());
    }

    @Override
    public void initialize(SplittableRandom rng) {
        float[] w = new float[(int) weights.length()];
        int k = spec.kernelH() * spec.kernelW();
        spec.init().fill(w, in.channels() * k, spec.filters() * k, rng);
        Buffers.assign(weights, w);
        bias.assign(spec.biasInit());
    }

    // x: [N, C, H, W] (any strides) -> y: [N, F, oH, oW] (view of NHWC memory)
    @Override
    public INDArray forward(INDArray x, boolean training, long noiseSeed) {
        long n = x.size(0);
        col = Buffers.reuse(col, dtype, n, out.height(), out.width(), in.channels(), spec.kernelH(), spec.kernelW());
        z = Buffers.reuse(z, dtype, n * out.height() * out.width(), spec.filters());
        Convolution.im2col(x, spec.kernelH(), spec.kernelW(), spec.stride(), spec.stride(), padH, padW, 1, 1, spec.same(),
                col.permute(0, 3, 4, 5, 1, 2));
        // z = col · W^T + b
        Nd4j.gemm(cols(n), weights, z, false, true, 1.0, 0.0);
        z.addiRowVector(bias);
        return z.reshape('c', n, out.height(), out.width(), spec.filters()).permute(0, 3, 1, 2);
    }

    private INDArray cols(long n) {
        return col.reshape('c', n * out.height() * out.width(), patch());
    }

    // gradOut: [N, F, oH, oW] -> dL/dx: [N, C, H, W] (view of NHWC memory)
    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        long n = gradOut.size(0);
        gradZ = Buffers.reuse(gradZ, dtype, n * out.height() * out.width(), spec.filters());
        gradZ.reshape('c', n, out.height(), out.width(), spec.filters()).permute(0, 3, 1, 2).assign(gradOut);
        INDArray cols = cols(n);
        // z = col · W^T + b  =>  dW += gradZ^T · col,  db += sum_rows gradZ,  dcol = gradZ · W
        Nd4j.gemm(gradZ, cols, gradWeights, true, false, 1.0, 1.0);
        gradBias.addi(gradZ.sum(0).reshape(1, spec.filters()));
        if (!needInputGrad) {
            return null;
        }
        Nd4j.gemm(gradZ, weights, cols, false, false, 1.0, 0.0);   // the column buffer is free now: reuse it
        gradIn = Buffers.reuse(gradIn, dtype, n, in.height(), in.width(), in.channels());
        INDArray gradInNchw = gradIn.permute(0, 3, 1, 2);
        Convolution.col2im(col.permute(0, 3, 4, 5, 1, 2), gradInNchw, spec.stride(), spec.stride(), padH, padW,
                in.height(), in.width(), 1, 1);
        return gradInNchw;
    }
}
