package org.sparkcnn.core.layers;

import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.core.Shape;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * 2-D convolution as im2col + one GEMM. Weights W: [F, C·kH·kW] (row f is filter f in [C, kH, kW] order),
 * bias b: [F].
 *
 * <p>Each image is moved to a heap array in NHWC order ({@link Images}) and its patches are gathered in the order
 * (kh, kw, c), each followed by a 1 ({@link Patches}), into the column matrix [N·oH·oW, P + 1] (P = kH·kW·C). The
 * GEMM runs against a per-step copy of W and b stacked as [P + 1, F] (W transposed and permuted to that patch
 * order, b as the last row; {@link StackedWeights}), so it adds the bias too; the weight and bias gradients come
 * out of one GEMM in the same layout and are permuted back. The product [N·oH·oW, F] is the output in NHWC memory,
 * handed on as an NCHW view.
 *
 * <p>Where ND4J's oneDNN build is loaded, layers with many input channels run both passes as oneDNN primitives
 * instead ({@link ConvKernel}), on the same NHWC memory and the stored weight layout (OIYX).
 */
final class Conv2d implements Layer {
    private final Conv2dSpec spec;
    private final Shape in;
    private final Shape out;
    private final Patches patches;
    private final StackedWeights stacked;
    private INDArray weights;          // [F, C*kH*kW]
    private INDArray bias;             // [1, F]
    private INDArray params;           // this layer's slices of the flat vectors: W then b
    private INDArray grads;
    private INDArray col;              // [N*oH*oW, P+1]
    private INDArray z;                // [N*oH*oW, F]
    private INDArray gradZ;            // [N*oH*oW, F], when the incoming gradient is not NHWC memory already
    private INDArray gradIn;           // [N, H, W, C]
    private final ConvKernel kernel;
    private final int[] opArguments;
    private INDArray input;            // oneDNN: this step's input [N, H, W, C] (NHWC memory)
    private INDArray weightGrad;       // [F, C, kH, kW] and [F]: the oneDNN backward's gradients, added to grads
    private INDArray biasGrad;
    private final float[] image;       // one image [H, W, C] and its columns [oH*oW, P+1] on the heap
    private final float[] imageCol;

    Conv2d(Conv2dSpec spec, Shape in) {
        this.spec = spec;
        this.in = in;
        this.out = spec.outputShape(in);
        this.patches = new Patches(in, out, spec.kernelH(), spec.kernelW(), spec.stride(),
                spec.padBefore(in.height(), spec.kernelH()), spec.padBefore(in.width(), spec.kernelW()));
        this.stacked = new StackedWeights(spec.filters(), in.channels(), spec.kernelH(), spec.kernelW());
        this.image = new float[in.size()];
        this.imageCol = new float[patches.columnLength()];
        this.kernel = ConvKernel.choose(spec, in, out);
        this.opArguments = ConvKernel.opArguments(spec, in);
    }

    private int patch() {
        return in.channels() * spec.kernelH() * spec.kernelW();
    }

    @Override
    public void bind(INDArray params, INDArray grads) {
        long nw = (long) spec.filters() * patch();
        weights = params.get(NDArrayIndex.interval(0, nw)).reshape('c', spec.filters(), patch());
        bias = params.get(NDArrayIndex.interval(nw, nw + spec.filters())).reshape('c', 1, spec.filters());
        this.params = params;
        this.grads = grads;
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
        int n = (int) x.size(0);
        z = Buffers.reuse(z, (long) n * out.height() * out.width(), spec.filters());
        INDArray y = z.reshape('c', n, out.height(), out.width(), spec.filters());
        if (kernel.oneDnn()) {
            input = nhwc(x);
            ConvKernel.forward(opArguments, input, filters(weights), bias.reshape(spec.filters()), y);
        } else {
            gather(Images.dense(x));
            // z = [col | 1] · [W^T ; b] = col · W^T + b
            Nd4j.gemm(col, stacked.stack(params), z, false, false, 1.0, 0.0);
        }
        return y.permute(0, 3, 1, 2);
    }

    /** x as [N, H, W, C] in c order: a view when its memory is NHWC already, else a copy. */
    private static INDArray nhwc(INDArray x) {
        INDArray v = x.permute(0, 2, 3, 1);
        boolean dense = v.offset() == 0 && v.data().offset() == 0 && Images.isDense(v);
        // a fresh c-order array over the same memory: the op reads it as dense whatever a size-1 dimension's stride
        return dense ? Nd4j.create(v.data(), v.shape(), ArrayUtil.calcStrides(v.shape()), 0, 'c') : v.dup('c');
    }

    /** col = the patches of x [N, C, H, W], one image at a time through the heap. */
    private void gather(INDArray x) {
        int n = (int) x.size(0);
        long[] st = x.stride();
        int len = patches.columnLength();
        col = Buffers.reuse(col, (long) n * out.height() * out.width(), patch() + 1);
        FloatBuffer src = x.data().asNioFloat();
        FloatBuffer dst = col.data().asNioFloat();
        for (int i = 0; i < n; i++) {
            Images.load(src, st, in, i, image);
            patches.gather(image, imageCol);
            dst.put(i * len, imageCol, 0, len);
        }
    }

    /** W [F, C·kH·kW] as [F, C, kH, kW] (OIYX), the same memory. */
    private INDArray filters(INDArray w) {
        return w.reshape('c', spec.filters(), in.channels(), spec.kernelH(), spec.kernelW());
    }

    // gradOut: [N, F, oH, oW] -> dL/dx: [N, C, H, W] (view of NHWC memory)
    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        int n = (int) gradOut.size(0);
        long rows = (long) n * out.height() * out.width();
        INDArray gradZ = nhwcRows(gradOut, rows);
        if (kernel.oneDnn()) {
            return backwardOneDnn(n, gradZ, needInputGrad);
        }
        // z = [col | 1] · S with S = [W^T ; b]  =>  dS = [col | 1]^T · gradZ,  dcol = gradZ · S^T
        Nd4j.gemm(col, gradZ, stacked.gradient(), true, false, 1.0, 0.0);
        stacked.addGradient(grads);
        if (!needInputGrad) {
            return null;
        }
        Nd4j.gemm(gradZ, stacked.current(), col, false, true, 1.0, 0.0);   // col is free now: reuse it
        gradIn = Buffers.reuse(gradIn, n, in.height(), in.width(), in.channels());
        int len = patches.columnLength();
        int size = in.size();
        FloatBuffer src = col.data().asNioFloat();
        FloatBuffer dst = gradIn.data().asNioFloat();
        for (int i = 0; i < n; i++) {
            src.get(i * len, imageCol, 0, len);
            patches.scatter(imageCol, image);
            dst.put(i * size, image, 0, size);
        }
        return gradIn.permute(0, 3, 1, 2);
    }

    /** oneDNN's backward pass, which computes the input's gradient whether or not it is needed. */
    private INDArray backwardOneDnn(int n, INDArray gradZ, boolean needInputGrad) {
        gradIn = Buffers.reuse(gradIn, n, in.height(), in.width(), in.channels());
        weightGrad = Buffers.reuse(weightGrad, spec.filters(), in.channels(), spec.kernelH(), spec.kernelW());
        biasGrad = Buffers.reuse(biasGrad, spec.filters());
        ConvKernel.backward(opArguments, input, filters(weights), bias.reshape(spec.filters()),
                gradZ.reshape('c', n, out.height(), out.width(), spec.filters()), gradIn, weightGrad, biasGrad);
        long nw = (long) spec.filters() * patch();
        grads.get(NDArrayIndex.interval(0, nw)).addi(weightGrad.reshape(nw));
        grads.get(NDArrayIndex.interval(nw, nw + spec.filters())).addi(biasGrad);
        return needInputGrad ? gradIn.permute(0, 3, 1, 2) : null;
    }

    /** gradOut [N, F, oH, oW] as the matrix [N·oH·oW, F] of NHWC memory: a view when it is one already, else a copy. */
    private INDArray nhwcRows(INDArray gradOut, long rows) {
        INDArray nhwc = gradOut.permute(0, 2, 3, 1);
        long f = spec.filters();
        long[] cStrides = {out.height() * out.width() * f, out.width() * f, f, 1};
        if (nhwc.offset() == 0 && Arrays.equals(nhwc.stride(), cStrides)) {
            return nhwc.reshape('c', rows, f);
        }
        gradZ = Buffers.reuse(gradZ, rows, f);
        gradZ.reshape('c', n(rows), out.height(), out.width(), f).assign(nhwc);
        return gradZ;
    }

    private long n(long rows) {
        return rows / ((long) out.height() * out.width());
    }
}
