package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.core.Shape;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Batch normalization ({@link BatchNormSpec}) on a heap copy of the minibatch in NHWC order, that is an [M, C]
 * matrix with M = N·H·W rows (M = N for vectors), so every channel's statistics are column sums. Sums are taken in
 * double. The output is NHWC memory handed on as an NCHW view (a [N, C] matrix for vectors).
 */
final class BatchNorm implements Layer {
    private final BatchNormSpec spec;
    private final Shape in;
    private final int channels;
    private INDArray params;           // γ [C], β [C], running mean [C], running variance [C]
    private INDArray grads;            // dγ [C], dβ [C], then zeros
    private boolean ownsStatistics = true;
    private float[] layer;             // this layer's parameters on the heap, read at each forward pass
    private final float[] scale;       // per channel: γ / √(σ² + ε)
    private final float[] shift;       // per channel: β − μ · scale
    private final double[] invStd;     // per channel: 1 / √(σ²_B + ε) of the last training pass
    private float[] xhat;              // [M, C] normalized input of the last training pass
    private float[] work;              // [M, C]
    private final float[] image;       // one image [H, W, C]
    private INDArray y;                // [N, H, W, C] or [N, C]
    private INDArray gradIn;
    private int rows;
    private boolean matrix;            // [N, C] input rather than [N, C, H, W]

    BatchNorm(BatchNormSpec spec, Shape in) {
        this.spec = spec;
        this.in = in;
        this.channels = in.channels();
        this.scale = new float[channels];
        this.shift = new float[channels];
        this.invStd = new double[channels];
        this.image = new float[in.size()];
    }

    @Override
    public void bind(INDArray params, INDArray grads) {
        this.params = params;
        this.grads = grads;
    }

    /** A replica reads parameters another network owns: it does not move the running statistics. */
    @Override
    public void readOnlyParameters() {
        ownsStatistics = false;
    }

    @Override
    public void initialize(SplittableRandom rng) {
        params.get(NDArrayIndex.interval(0, channels)).assign(1);                 // γ
        params.get(NDArrayIndex.interval(channels, 3L * channels)).assign(0);      // β, running mean
        params.get(NDArrayIndex.interval(3L * channels, 4L * channels)).assign(1); // running variance
    }

    // x: [N, C, H, W] (any strides) or [N, C] -> y: the same shape (a view of NHWC memory)
    @Override
    public INDArray forward(INDArray x, boolean training, long noiseSeed) {
        int n = (int) x.size(0);
        matrix = x.rank() == 2;
        rows = n * in.height() * in.width();
        int size = rows * channels;
        if (work == null || work.length != size) {
            work = new float[size];
            xhat = new float[size];
        }
        load(x, work);
        layer = params.toFloatVector();
        if (training) {
            normalizeWithBatchStatistics();
        } else {
            for (int c = 0; c < channels; c++) {
                float s = (float) (layer[c] / Math.sqrt(layer[3 * channels + c] + BatchNormSpec.EPSILON));
                scale[c] = s;
                shift[c] = layer[channels + c] - layer[2 * channels + c] * s;
            }
            for (int r = 0, i = 0; r < rows; r++) {
                for (int c = 0; c < channels; c++, i++) {
                    work[i] = work[i] * scale[c] + shift[c];
                }
            }
        }
        y = matrix ? Buffers.reuse(y, n, channels) : Buffers.reuse(y, n, in.height(), in.width(), channels);
        y.data().asNioFloat().put(0, work, 0, size);
        return matrix ? y : y.permute(0, 3, 1, 2);
    }

    /** x̂ = (x − μ_B) / √(σ²_B + ε), y = γ x̂ + β, and the running statistics move towards μ_B, σ²_B. */
    private void normalizeWithBatchStatistics() {
        double[] mean = new double[channels];
        double[] var = new double[channels];
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                mean[c] += work[i];
            }
        }
        for (int c = 0; c < channels; c++) {
            mean[c] /= rows;
        }
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                double d = work[i] - mean[c];
                var[c] += d * d;
            }
        }
        for (int c = 0; c < channels; c++) {
            var[c] /= rows;
            invStd[c] = 1 / Math.sqrt(var[c] + BatchNormSpec.EPSILON);
        }
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                float h = (float) ((work[i] - mean[c]) * invStd[c]);
                xhat[i] = h;
                work[i] = layer[c] * h + layer[channels + c];
            }
        }
        if (ownsStatistics) {
            double m = spec.momentum();
            double unbiased = rows > 1 ? (double) rows / (rows - 1) : 1;
            for (int c = 0; c < channels; c++) {
                layer[2 * channels + c] = (float) ((1 - m) * layer[2 * channels + c] + m * mean[c]);
                layer[3 * channels + c] = (float) ((1 - m) * layer[3 * channels + c] + m * var[c] * unbiased);
            }
            params.get(NDArrayIndex.interval(2L * channels, 4L * channels))
                    .assign(Nd4j.createFromArray(Arrays.copyOfRange(layer, 2 * channels, 4 * channels)));
        }
    }

    // gradOut: the output's shape (any strides) -> dL/dx: the same shape (a view of NHWC memory)
    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        // y = γ x̂ + β  =>  dβ = Σ g,  dγ = Σ g x̂,
        // dx = γ / (M √(σ²_B + ε)) · (M g − Σ g − x̂ Σ g x̂)   (sums over the channel's M values)
        load(gradOut, work);
        double[] sumG = new double[channels];
        double[] sumGx = new double[channels];
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                sumG[c] += work[i];
                sumGx[c] += (double) work[i] * xhat[i];
            }
        }
        float[] g = new float[2 * channels];
        for (int c = 0; c < channels; c++) {
            g[c] = (float) sumGx[c];
            g[channels + c] = (float) sumG[c];
        }
        grads.get(NDArrayIndex.interval(0, 2L * channels)).addi(Nd4j.createFromArray(g));
        if (!needInputGrad) {
            return null;
        }
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                double k = layer[c] * invStd[c] / rows;
                work[i] = (float) (k * (rows * (double) work[i] - sumG[c] - xhat[i] * sumGx[c]));
            }
        }
        int n = rows / (in.height() * in.width());
        gradIn = matrix ? Buffers.reuse(gradIn, n, channels)
                : Buffers.reuse(gradIn, n, in.height(), in.width(), channels);
        gradIn.data().asNioFloat().put(0, work, 0, work.length);
        return matrix ? gradIn : gradIn.permute(0, 3, 1, 2);
    }

    /** The batch {@code a} ([N, C, H, W] any strides, or [N, C]) into {@code dst} in NHWC order. */
    private void load(INDArray a, float[] dst) {
        if (matrix) {
            INDArray d = a.ordering() == 'c' && a.stride(1) == 1 && a.stride(0) == channels ? Images.dense(a)
                    : a.dup('c');
            d.data().asNioFloat().get(0, dst, 0, dst.length);
            return;
        }
        INDArray d = Images.dense(a);
        FloatBuffer src = d.data().asNioFloat();
        long[] st = d.stride();
        int per = in.size();
        for (int i = 0; i < rows / (in.height() * in.width()); i++) {
            Images.load(src, st, in, i, image);
            System.arraycopy(image, 0, dst, i * per, per);
        }
    }
}
