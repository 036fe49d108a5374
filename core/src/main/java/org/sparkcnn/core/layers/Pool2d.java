package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Shape;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Max or average pooling, image by image: each image is moved to a heap array in NHWC order ({@link Images}) and
 * pooled there ({@link PoolWindows}); max pooling compares the raw bits of the values as order keys. Max pooling
 * keeps the first arg-max of each window for backward, so exactly one input receives each output's gradient (of a
 * −0 and a +0 the +0 wins).
 */
final class Pool2d implements Layer {
    private final Pool2dSpec spec;
    private final Shape in;
    private final Shape out;
    private final PoolWindows windows;
    private INDArray y;                // [N, oH, oW, C]
    private int[] argMax;              // [N*oH*oW*C], the index of the arg-max in its window
    private INDArray gradIn;           // [N, H, W, C]
    private final float[] inImage;     // one image [H, W, C] on the heap
    private final float[] outImage;    // one image [oH, oW, C]
    private final int[] inBits;        // one image [H, W, C] as raw bits, for max pooling
    private final int[] outBits;       // one image [oH, oW, C]

    Pool2d(Pool2dSpec spec, Shape in) {
        this.spec = spec;
        this.in = in;
        this.out = spec.outputShape(in);
        this.windows = new PoolWindows(in, out, spec.kernel(), spec.stride());
        this.inImage = new float[in.size()];
        this.outImage = new float[out.size()];
        this.inBits = new int[in.size()];
        this.outBits = new int[out.size()];
    }

    // x: [N, C, H, W] (any strides) -> y: [N, C, oH, oW] (view of NHWC memory)
    @Override
    public INDArray forward(INDArray input, boolean training, long noiseSeed) {
        INDArray x = Images.dense(input);
        int n = (int) x.size(0);
        long[] st = x.stride();
        y = Buffers.reuse(y, n, out.height(), out.width(), out.channels());
        int outputs = out.size();
        if (argMax == null || argMax.length != n * outputs) {
            argMax = new int[n * outputs];
        }
        if (spec.max()) {
            IntBuffer src = x.data().asNio().asIntBuffer();
            IntBuffer dst = y.data().asNio().asIntBuffer();
            for (int i = 0; i < n; i++) {
                Images.load(src, st, in, i, inBits);
                windows.max(inBits, outBits, argMax, i * outputs);
                dst.put(i * outputs, outBits, 0, outputs);
            }
        } else {
            FloatBuffer src = x.data().asNioFloat();
            FloatBuffer dst = y.data().asNioFloat();
            for (int i = 0; i < n; i++) {
                Images.load(src, st, in, i, inImage);
                windows.average(inImage, outImage);
                dst.put(i * outputs, outImage, 0, outputs);
            }
        }
        return y.permute(0, 3, 1, 2);
    }

    // gradOut: [N, C, oH, oW] (any strides) -> dL/dx: [N, C, H, W] (view of NHWC memory)
    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        if (!needInputGrad) {
            return null;
        }
        INDArray g = Images.dense(gradOut);
        int n = (int) g.size(0);
        long[] st = g.stride();
        gradIn = Buffers.reuse(gradIn, n, in.height(), in.width(), in.channels());
        int outputs = out.size();
        int inputs = in.size();
        FloatBuffer src = g.data().asNioFloat();
        FloatBuffer dst = gradIn.data().asNioFloat();
        for (int i = 0; i < n; i++) {
            Images.load(src, st, out, i, outImage);
            if (spec.max()) {
                windows.maxBackward(outImage, argMax, i * outputs, inImage);
            } else {
                windows.averageBackward(outImage, inImage);
            }
            dst.put(i * inputs, inImage, 0, inputs);
        }
        return gradIn.permute(0, 3, 1, 2);
    }
}
