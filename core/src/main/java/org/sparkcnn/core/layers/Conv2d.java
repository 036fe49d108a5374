package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.core.Shape;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * 2-D convolution as im2col + one GEMM. Weights W: [F, C·kH·kW] (row f is filter f in [C, kH, kW] order),
 * bias b: [F].
 *
 * <p>Each image is moved to a heap array in NHWC order ({@link Images}) and its patches are gathered in the order
 * (kh, kw, c) ({@link Patches}) into the column matrix [N·oH·oW, kH·kW·C]; the GEMM runs against a per-step copy
 * of W permuted to that order (W itself when C = 1 or kH·kW = 1, where the orders coincide), and the weight
 * gradient is permuted back. The product [N·oH·oW, F] is the output in NHWC memory, handed on as an NCHW view.
 */
final class Conv2d implements Layer {
    private final Conv2dSpec spec;
    private final Shape in;
    private final Shape out;
    private final DataType dtype;
    private final Patches patches;
    private final boolean permuted;    // whether the patch orders (c, kh, kw) and (kh, kw, c) differ
    private INDArray weights;          // [F, C*kH*kW]
    private INDArray bias;             // [1, F]
    private INDArray gradWeights;
    private INDArray gradBias;
    private INDArray weightsHwc;       // [F, kH*kW*C], when permuted
    private INDArray gradWeightsHwc;   // [F, kH*kW*C], when permuted
    private INDArray col;              // [N*oH*oW, kH*kW*C]
    private INDArray z;                // [N*oH*oW, F]
    private INDArray gradZ;            // [N*oH*oW, F], when the incoming gradient is not NHWC memory already
    private INDArray ones;             // [1, N*oH*oW]
    private INDArray gradIn;           // [N, H, W, C]
    private float[] imageF;            // one image [H, W, C] and its columns [oH*oW, kH*kW*C] on the heap
    private float[] colF;
    private double[] imageD;
    private double[] colD;

    Conv2d(Conv2dSpec spec, Shape in, DataType dtype) {
        this.spec = spec;
        this.in = in;
        this.out = spec.outputShape(in);
        this.dtype = dtype;
        this.patches = new Patches(in, out, spec.kernelH(), spec.kernelW(), spec.stride(),
                spec.padBefore(in.height(), spec.kernelH()), spec.padBefore(in.width(), spec.kernelW()));
        this.permuted = in.channels() > 1 && spec.kernelH() * spec.kernelW() > 1;
        if (dtype == DataType.FLOAT) {
            imageF = new float[in.size()];
            colF = new float[patches.columnLength()];
        } else {
            imageD = new double[in.size()];
            colD = new double[patches.columnLength()];
        }
    }

    private int patch() {
        return in.channels() * spec.kernelH() * spec.kernelW();
    }

    @Override
    public void bind(INDArray params, INDArray grads) {
        long nw = (long) spec.filters() * patch();
        weights = params.get(NDArrayIndex.interval(0, nw)).reshape('c', spec.filters(), patch());
        bias = params.get(NDArrayIndex.interval(nw, nw + spec.filters())).reshape('c', 1, spec.filters());
        gradWeights = grads.get(NDArrayIndex.interval(0, nw)).reshape('c', spec.filters(), patch());
        gradBias = grads.get(NDArrayIndex.interval(nw, nw + spec.filters())).reshape('c', 1, spec.filters());
        if (permuted) {
            weightsHwc = Nd4j.createUninitialized(dtype, new long[]{spec.filters(), patch()}, 'c');
            gradWeightsHwc = Nd4j.createUninitialized(dtype, new long[]{spec.filters(), patch()}, 'c');
        }
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
        INDArray x = Images.dense(input);
        int n = (int) x.size(0);
        long[] st = x.stride();
        int len = patches.columnLength();
        col = Buffers.reuse(col, dtype, (long) n * out.height() * out.width(), patch());
        z = Buffers.reuse(z, dtype, (long) n * out.height() * out.width(), spec.filters());
        if (dtype == DataType.FLOAT) {
            FloatBuffer src = x.data().asNioFloat();
            FloatBuffer dst = col.data().asNioFloat();
            for (int i = 0; i < n; i++) {
                Images.load(src, st, in, i, imageF);
                patches.gather(imageF, colF);
                dst.put(i * len, colF, 0, len);
            }
        } else {
            DoubleBuffer src = x.data().asNioDouble();
            DoubleBuffer dst = col.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                Images.load(src, st, in, i, imageD);
                patches.gather(imageD, colD);
                dst.put(i * len, colD, 0, len);
            }
        }
        if (permuted) {
            hwc(weightsHwc).assign(chw(weights).permute(0, 2, 3, 1));
        }
        // z = col · W^T + b
        Nd4j.gemm(col, permuted ? weightsHwc : weights, z, false, true, 1.0, 0.0);
        z.addiRowVector(bias);
        return z.reshape('c', n, out.height(), out.width(), spec.filters()).permute(0, 3, 1, 2);
    }

    /** A weight matrix [F, C·kH·kW] as [F, C, kH, kW]. */
    private INDArray chw(INDArray w) {
        return w.reshape('c', spec.filters(), in.channels(), spec.kernelH(), spec.kernelW());
    }

    /** A weight matrix [F, kH·kW·C] as [F, kH, kW, C]. */
    private INDArray hwc(INDArray w) {
        return w.reshape('c', spec.filters(), spec.kernelH(), spec.kernelW(), in.channels());
    }

    // gradOut: [N, F, oH, oW] -> dL/dx: [N, C, H, W] (view of NHWC memory)
    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        int n = (int) gradOut.size(0);
        long rows = (long) n * out.height() * out.width();
        INDArray gradZ = nhwcRows(gradOut, rows);
        if (ones == null || ones.length() != rows) {
            ones = Nd4j.ones(dtype, 1, rows);
        }
        // z = col · W^T + b  =>  dW += gradZ^T · col,  db += 1^T · gradZ,  dcol = gradZ · W
        if (permuted) {
            Nd4j.gemm(gradZ, col, gradWeightsHwc, true, false, 1.0, 0.0);
            chw(gradWeights).addi(hwc(gradWeightsHwc).permute(0, 3, 1, 2));
        } else {
            Nd4j.gemm(gradZ, col, gradWeights, true, false, 1.0, 1.0);
        }
        Nd4j.gemm(ones, gradZ, gradBias, false, false, 1.0, 1.0);
        if (!needInputGrad) {
            return null;
        }
        Nd4j.gemm(gradZ, permuted ? weightsHwc : weights, col, false, false, 1.0, 0.0);   // col is free now: reuse it
        gradIn = Buffers.reuse(gradIn, dtype, n, in.height(), in.width(), in.channels());
        int len = patches.columnLength();
        int size = in.size();
        if (dtype == DataType.FLOAT) {
            FloatBuffer src = col.data().asNioFloat();
            FloatBuffer dst = gradIn.data().asNioFloat();
            for (int i = 0; i < n; i++) {
                src.get(i * len, colF, 0, len);
                patches.scatter(colF, imageF);
                dst.put(i * size, imageF, 0, size);
            }
        } else {
            DoubleBuffer src = col.data().asNioDouble();
            DoubleBuffer dst = gradIn.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                src.get(i * len, colD, 0, len);
                patches.scatter(colD, imageD);
                dst.put(i * size, imageD, 0, size);
            }
        }
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
