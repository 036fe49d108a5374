package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Shape;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Max or average pooling, one pass over each window through an index table ({@link Windows}). Max pooling keeps
 * the first arg-max of each window for backward, so exactly one input receives each output's gradient (comparing
 * through {@link #key(float)}, so of a −0 and a +0 the +0 wins).
 */
final class Pool2d implements Layer {
    private final Pool2dSpec spec;
    private final Shape in;
    private final Shape out;
    private final DataType dtype;
    private final int window;
    private final int[] gradInTable;   // windows of one image in gradIn's NHWC memory
    private long[] xStrides;
    private int[] xTable;              // windows of one image of the current input x
    private long[] gStrides;
    private int[] gTable;              // offsets of one image's outputs in the incoming gradient, order (oh, ow, c)
    private INDArray y;                // [N, oH, oW, C]
    private int[] argMax;              // [N*oH*oW*C], the index in its window
    private INDArray gradIn;           // [N, H, W, C]

    Pool2d(Pool2dSpec spec, Shape in, DataType dtype) {
        this.spec = spec;
        this.in = in;
        this.out = spec.outputShape(in);
        this.dtype = dtype;
        this.window = spec.kernel() * spec.kernel();
        this.gradInTable = table(1, (long) in.width() * in.channels(), in.channels());
    }

    private int[] table(long sC, long sH, long sW) {
        int k = spec.kernel();
        return Windows.table(in.channels(), in.height(), in.width(), k, k, spec.stride(), 0, 0, out.height(),
                out.width(), sC, sH, sW);
    }

    // x: [N, C, H, W] (any strides) -> y: [N, C, oH, oW] (view of NHWC memory)
    @Override
    public INDArray forward(INDArray input, boolean training, long noiseSeed) {
        INDArray x = Windows.dense(input);
        int n = (int) x.size(0);
        if (xTable == null || !java.util.Arrays.equals(xStrides, x.stride())) {
            xStrides = x.stride().clone();
            xTable = table(xStrides[1], xStrides[2], xStrides[3]);
        }
        y = Buffers.reuse(y, dtype, n, out.height(), out.width(), out.channels());
        int outputs = out.size();
        if (argMax == null || argMax.length != n * outputs) {
            argMax = new int[n * outputs];
        }
        int sN = (int) xStrides[0];
        boolean max = spec.max();
        if (dtype == DataType.FLOAT) {
            FloatBuffer src = x.data().asNioFloat();
            FloatBuffer dst = y.data().asNioFloat();
            float scale = 1f / window;
            for (int i = 0; i < n; i++) {
                int base = i * sN;
                for (int r = 0; r < outputs; r++) {
                    int t = r * window;
                    int arg = 0;
                    float value;
                    if (max) {
                        int best = key(src.get(base + xTable[t]));
                        for (int k = 1; k < window; k++) {
                            int v = key(src.get(base + xTable[t + k]));
                            int greater = (int) (((long) best - v) >>> 63);     // v > best, without a branch
                            best += greater * (v - best);
                            arg += greater * (k - arg);
                        }
                        value = src.get(base + xTable[t + arg]);
                    } else {
                        float sum = 0;
                        for (int k = 0; k < window; k++) {
                            sum += src.get(base + xTable[t + k]);
                        }
                        value = sum * scale;
                    }
                    dst.put(i * outputs + r, value);
                    argMax[i * outputs + r] = arg;
                }
            }
        } else {
            DoubleBuffer src = x.data().asNioDouble();
            DoubleBuffer dst = y.data().asNioDouble();
            double scale = 1.0 / window;
            for (int i = 0; i < n; i++) {
                int base = i * sN;
                for (int r = 0; r < outputs; r++) {
                    int t = r * window;
                    int arg = 0;
                    double value;
                    if (max) {
                        long best = key(src.get(base + xTable[t]));
                        for (int k = 1; k < window; k++) {
                            long v = key(src.get(base + xTable[t + k]));
                            if (v > best) {
                                best = v;
                                arg = k;
                            }
                        }
                        value = src.get(base + xTable[t + arg]);
                    } else {
                        double sum = 0;
                        for (int k = 0; k < window; k++) {
                            sum += src.get(base + xTable[t + k]);
                        }
                        value = sum * scale;
                    }
                    dst.put(i * outputs + r, value);
                    argMax[i * outputs + r] = arg;
                }
            }
        }
        return y.permute(0, 3, 1, 2);
    }

    /**
     * An integer with the order of the floats (IEEE 754 bits, the negative ones flipped): max pooling compares
     * these, which the JIT compiles without branches (a float compare on a coin toss costs a mispredicted branch).
     * It ranks −0 below +0, the only pair of equal floats it tells apart.
     */
    private static int key(float v) {
        int b = Float.floatToRawIntBits(v);
        return b ^ ((b >> 31) & 0x7fffffff);
    }

    /** {@link #key(float)} for doubles. */
    private static long key(double v) {
        long b = Double.doubleToRawLongBits(v);
        return b ^ ((b >> 63) & 0x7fffffffffffffffL);
    }

    // gradOut: [N, C, oH, oW] (any strides) -> dL/dx: [N, C, H, W] (view of NHWC memory)
    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        if (!needInputGrad) {
            return null;
        }
        INDArray g = Windows.dense(gradOut);
        int n = (int) g.size(0);
        if (gTable == null || !java.util.Arrays.equals(gStrides, g.stride())) {
            gStrides = g.stride().clone();
            gTable = Windows.table(out.channels(), out.height(), out.width(), 1, 1, 1, 0, 0, out.height(),
                    out.width(), gStrides[1], gStrides[2], gStrides[3]);
        }
        gradIn = Buffers.reuse(gradIn, dtype, n, in.height(), in.width(), in.channels());
        gradIn.assign(0);
        int outputs = out.size();
        int gN = (int) gStrides[0];
        int inN = in.size();
        boolean max = spec.max();
        if (dtype == DataType.FLOAT) {
            FloatBuffer src = g.data().asNioFloat();
            FloatBuffer dst = gradIn.data().asNioFloat();
            float scale = 1f / window;
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < outputs; r++) {
                    float v = src.get(i * gN + gTable[r]);
                    int t = r * window;
                    if (max) {
                        // y = x[argmax]: the gradient goes to the (first) maximal element of the window
                        int o = i * inN + gradInTable[t + argMax[i * outputs + r]];
                        dst.put(o, dst.get(o) + v);
                    } else {
                        // y = mean(window): each element receives g / (k*k)
                        for (int k = 0; k < window; k++) {
                            int o = i * inN + gradInTable[t + k];
                            dst.put(o, dst.get(o) + v * scale);
                        }
                    }
                }
            }
        } else {
            DoubleBuffer src = g.data().asNioDouble();
            DoubleBuffer dst = gradIn.data().asNioDouble();
            double scale = 1.0 / window;
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < outputs; r++) {
                    double v = src.get(i * gN + gTable[r]);
                    int t = r * window;
                    if (max) {
                        int o = i * inN + gradInTable[t + argMax[i * outputs + r]];
                        dst.put(o, dst.get(o) + v);
                    } else {
                        for (int k = 0; k < window; k++) {
                            int o = i * inN + gradInTable[t + k];
                            dst.put(o, dst.get(o) + v * scale);
                        }
                    }
                }
            }
        }
        return gradIn.permute(0, 3, 1, 2);
    }
}
