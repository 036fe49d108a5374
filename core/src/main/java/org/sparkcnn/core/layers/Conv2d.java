package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Shape;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * 2-D convolution as im2col + one GEMM. Weights W: [F, C·kH·kW] (row f is filter f in [C, kH, kW] order),
 * bias b: [F].
 *
 * <p>The column matrix [N·oH·oW, C·kH·kW] is gathered through an index table ({@link Windows}); the product
 * [N·oH·oW, F] is then the output in NHWC memory, handed on as an NCHW view.
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
    private final int[] gradInTable;   // windows of one image in gradIn's NHWC memory
    private long[] xStrides;
    private int[] xTable;              // windows of one image of the current input x
    private INDArray col;              // [N*oH*oW, C*kH*kW]
    private INDArray z;                // [N*oH*oW, F]
    private INDArray gradZ;            // [N*oH*oW, F], when the incoming gradient is not NHWC memory already
    private INDArray ones;             // [1, N*oH*oW]
    private INDArray gradIn;           // [N, H, W, C]

    Conv2d(Conv2dSpec spec, Shape in, DataType dtype) {
        this.spec = spec;
        this.in = in;
        this.out = spec.outputShape(in);
        this.dtype = dtype;
        this.padH = spec.padBefore(in.height(), spec.kernelH());
        this.padW = spec.padBefore(in.width(), spec.kernelW());
        this.gradInTable = table(1, (long) in.width() * in.channels(), in.channels());
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
    public INDArray forward(INDArray input, boolean training, long noiseSeed) {
        INDArray x = Windows.dense(input);
        long n = x.size(0);
        if (xTable == null || !Arrays.equals(xStrides, x.stride())) {
            xStrides = x.stride().clone();
            xTable = table(xStrides[1], xStrides[2], xStrides[3]);
        }
        col = Buffers.reuse(col, dtype, n * out.height() * out.width(), patch());
        z = Buffers.reuse(z, dtype, n * out.height() * out.width(), spec.filters());
        Windows.gather(x, xTable, col);
        // z = col · W^T + b
        Nd4j.gemm(col, weights, z, false, true, 1.0, 0.0);
        z.addiRowVector(bias);
        return z.reshape('c', n, out.height(), out.width(), spec.filters()).permute(0, 3, 1, 2);
    }

    private int[] table(long sC, long sH, long sW) {
        return Windows.table(in.channels(), in.height(), in.width(), spec.kernelH(), spec.kernelW(), spec.stride(),
                padH, padW, out.height(), out.width(), sC, sH, sW);
    }

    // gradOut: [N, F, oH, oW] -> dL/dx: [N, C, H, W] (view of NHWC memory)
    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        long n = gradOut.size(0);
        long rows = n * out.height() * out.width();
        INDArray gradZ = nhwcRows(gradOut, rows);
        if (ones == null || ones.length() != rows) {
            ones = Nd4j.ones(dtype, 1, rows);
        }
        // z = col · W^T + b  =>  dW += gradZ^T · col,  db += 1^T · gradZ,  dcol = gradZ · W
        Nd4j.gemm(gradZ, col, gradWeights, true, false, 1.0, 1.0);
        Nd4j.gemm(ones, gradZ, gradBias, false, false, 1.0, 1.0);
        if (!needInputGrad) {
            return null;
        }
        Nd4j.gemm(gradZ, weights, col, false, false, 1.0, 0.0);   // the column buffer is free now: reuse it
        gradIn = Buffers.reuse(gradIn, dtype, n, in.height(), in.width(), in.channels());
        gradIn.assign(0);
        Windows.scatterAdd(col, gradInTable, gradIn);
        return gradIn.permute(0, 3, 1, 2);
    }

    /** gradOut [N, F, oH, oW] as the matrix [N·oH·oW, F] of NHWC memory: a view when it is one already, else a copy. */
    private INDArray nhwcRows(INDArray gradOut, long rows) {
        INDArray nhwc = gradOut.permute(0, 2, 3, 1);
        long f = spec.filters();
        long[] cStrides = {out.height() * out.width() * f, out.width() * f, f, 1};
        if (nhwc.offset() == 0 && Arrays.equals(nhwc.stride(), cStrides)) {
            return nhwc.reshape('c', rows, f);
        }
        gradZ = Buffers.reuse(gradZ, dtype, rows, f);
        gradZ.reshape('c', n(rows), out.height(), out.width(), f).assign(nhwc);
        return gradZ;
    }

    private long n(long rows) {
        return rows / ((long) out.height() * out.width());
    }
}
