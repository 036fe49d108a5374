package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Shape;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

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
    private final DataType dtype;
    private final PoolWindows windows;
    private INDArray y;                // [N, oH, oW, C]
    private int[] argMax;              // [N*oH*oW*C], the index of the arg-max in its window
    private INDArray gradIn;           // [N, H, W, C]
    private float[] inF;               // one image [H, W, C] (heap work arrays of the data type in use)
    private float[] outF;              // one image [oH, oW, C]
    private double[] inD;
    private double[] outD;
    private int[] inBits;              // one image [H, W, C] as raw bits, for max pooling
    private int[] outBits;             // one image [oH, oW, C]
    private long[] inBitsD;
    private long[] outBitsD;

    Pool2d(Pool2dSpec spec, Shape in, DataType dtype) {
        this.spec = spec;
        this.in = in;
        this.out = spec.outputShape(in);
        this.dtype = dtype;
        this.windows = new PoolWindows(in, out, spec.kernel(), spec.stride());
        if (dtype == DataType.FLOAT) {
            inF = new float[in.size()];
            outF = new float[out.size()];
            inBits = new int[in.size()];
            outBits = new int[out.size()];
        } else {
            inD = new double[in.size()];
            outD = new double[out.size()];
            inBitsD = new long[in.size()];
            outBitsD = new long[out.size()];
        }
    }

    // x: [N, C, H, W] (any strides) -> y: [N, C, oH, oW] (view of NHWC memory)
    @Override
    public INDArray forward(INDArray input, boolean training, long noiseSeed) {
        INDArray x = Images.dense(input);
        int n = (int) x.size(0);
        long[] st = x.stride();
        y = Buffers.reuse(y, dtype, n, out.height(), out.width(), out.channels());
        int outputs = out.size();
        if (argMax == null || argMax.length != n * outputs) {
            argMax = new int[n * outputs];
        }
        if (spec.max() && dtype == DataType.FLOAT) {
            IntBuffer src = x.data().asNio().asIntBuffer();
            IntBuffer dst = y.data().asNio().asIntBuffer();
            for (int i = 0; i < n; i++) {
                Images.load(src, st, in, i, inBits);
                windows.max(inBits, outBits, argMax, i * outputs);
                dst.put(i * outputs, outBits, 0, outputs);
            }
        } else if (spec.max()) {
            LongBuffer src = x.data().asNio().asLongBuffer();
            LongBuffer dst = y.data().asNio().asLongBuffer();
            for (int i = 0; i < n; i++) {
                Images.load(src, st, in, i, inBitsD);
                windows.max(inBitsD, outBitsD, argMax, i * outputs);
                dst.put(i * outputs, outBitsD, 0, outputs);
            }
        } else if (dtype == DataType.FLOAT) {
            FloatBuffer src = x.data().asNioFloat();
            FloatBuffer dst = y.data().asNioFloat();
            for (int i = 0; i < n; i++) {
                Images.load(src, st, in, i, inF);
                windows.average(inF, outF);
                dst.put(i * outputs, outF, 0, outputs);
            }
        } else {
            DoubleBuffer src = x.data().asNioDouble();
            DoubleBuffer dst = y.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                Images.load(src, st, in, i, inD);
                windows.average(inD, outD);
                dst.put(i * outputs, outD, 0, outputs);
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
        gradIn = Buffers.reuse(gradIn, dtype, n, in.height(), in.width(), in.channels());
        int outputs = out.size();
        int inputs = in.size();
        boolean max = spec.max();
        if (dtype == DataType.FLOAT) {
            FloatBuffer src = g.data().asNioFloat();
            FloatBuffer dst = gradIn.data().asNioFloat();
            for (int i = 0; i < n; i++) {
                Images.load(src, st, out, i, outF);
                if (max) {
                    windows.maxBackward(outF, argMax, i * outputs, inF);
                } else {
                    windows.averageBackward(outF, inF);
                }
                dst.put(i * inputs, inF, 0, inputs);
            }
        } else {
            DoubleBuffer src = g.data().asNioDouble();
            DoubleBuffer dst = gradIn.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                Images.load(src, st, out, i, outD);
                if (max) {
                    windows.maxBackward(outD, argMax, i * outputs, inD);
                } else {
                    windows.averageBackward(outD, inD);
                }
                dst.put(i * inputs, inD, 0, inputs);
            }
        }
        return gradIn.permute(0, 3, 1, 2);
    }
}
