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
 * matrix with M = N·H·W rows (M = N for vectors), so every channel's statistics are column sums. The batch is
 * processed one image (one chunk of rows) at a time while it is in cache: each image is loaded and summed in one
 * go, then normalized and stored. Sums run in float within an image and in double across images; the variance is
 * taken about a pivot (the first row's values), so the one-pass formula does not cancel. The output is NHWC memory
 * handed on as an NCHW view (a [N, C] matrix for vectors).
 */
final class BatchNorm implements Layer {
    private final BatchNormSpec spec;
    private final Shape in;
    private final int channels;
    private INDArray params;           // γ [C], β [C], running mean [C], running variance [C]
    private INDArray grads;            // dγ [C], dβ [C], then zeros
    private boolean ownsStatistics = true;
    private float[] layer;             // this layer's parameters on the heap, read at each forward pass
    private final float[] scale;       // per channel: the factor on x
    private final float[] shift;       // per channel: the term added
    private final double[] invStd;     // per channel: 1 / √(σ²_B + ε) of the last training pass
    private final float[] partSum;     // per channel, within one chunk
    private final float[] partSq;
    private float[] work;              // [M, C]: the input (forward) or the incoming gradient (backward)
    private float[] xhat;              // [M, C] normalized input of the last training pass
    private float[] chunk;             // one chunk's output
    private INDArray y;                // [N, H, W, C] or [N, C]
    private INDArray gradIn;
    private int rows;
    private int chunks;                // images, or 1 for a matrix
    private int perChunk;              // values per chunk
    private boolean matrix;            // [N, C] input rather than [N, C, H, W]

    BatchNorm(BatchNormSpec spec, Shape in) {
        this.spec = spec;
        this.in = in;
        this.channels = in.channels();
        this.scale = new float[channels];
        this.shift = new float[channels];
        this.invStd = new double[channels];
        this.partSum = new float[channels];
        this.partSq = new float[channels];
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
        chunks = matrix ? 1 : n;
        perChunk = rows * channels / chunks;
        if (work == null || work.length != rows * channels) {
            work = new float[rows * channels];
            xhat = new float[rows * channels];
            chunk = new float[perChunk];
        }
        layer = params.toFloatVector();
        y = matrix ? Buffers.reuse(y, n, channels) : Buffers.reuse(y, n, in.height(), in.width(), channels);
        FloatBuffer out = y.data().asNioFloat();
        Source src = new Source(x);
        if (training) {
            normalizeWithBatchStatistics(src, out);
        } else {
            for (int c = 0; c < channels; c++) {
                float s = (float) (layer[c] / Math.sqrt(layer[3 * channels + c] + BatchNormSpec.EPSILON));
                scale[c] = s;
                shift[c] = layer[channels + c] - layer[2 * channels + c] * s;
            }
            for (int k = 0; k < chunks; k++) {
                src.load(k, chunk, 0);
                for (int i = 0; i < perChunk; i += channels) {
                    for (int c = 0; c < channels; c++) {
                        chunk[i + c] = chunk[i + c] * scale[c] + shift[c];
                    }
                }
                out.put(k * perChunk, chunk, 0, perChunk);
            }
        }
        return matrix ? y : y.permute(0, 3, 1, 2);
    }

    /** x̂ = (x − μ_B) / √(σ²_B + ε), y = γ x̂ + β, and the running statistics move towards μ_B, σ²_B. */
    private void normalizeWithBatchStatistics(Source src, FloatBuffer out) {
        double[] sum = new double[channels];
        double[] sq = new double[channels];
        float[] pivot = shift;
        for (int k = 0; k < chunks; k++) {
            int from = k * perChunk;
            src.load(k, work, from);
            if (k == 0) {
                System.arraycopy(work, 0, pivot, 0, channels);
            }
            Arrays.fill(partSum, 0f);
            Arrays.fill(partSq, 0f);
            for (int i = from; i < from + perChunk; i += channels) {
                for (int c = 0; c < channels; c++) {
                    float d = work[i + c] - pivot[c];
                    partSum[c] += d;
                    partSq[c] += d * d;
                }
            }
            for (int c = 0; c < channels; c++) {
                sum[c] += partSum[c];
                sq[c] += partSq[c];
            }
        }
        double[] mean = new double[channels];
        double[] var = new double[channels];
        for (int c = 0; c < channels; c++) {
            double d = sum[c] / rows;                   // mean − pivot
            mean[c] = pivot[c] + d;
            var[c] = Math.max(0, sq[c] / rows - d * d);
            invStd[c] = 1 / Math.sqrt(var[c] + BatchNormSpec.EPSILON);
            scale[c] = (float) invStd[c];
            partSum[c] = (float) d;                     // x − μ = (x − pivot) − d: both small, little rounding
        }
        for (int k = 0; k < chunks; k++) {
            int from = k * perChunk;
            for (int i = 0; i < perChunk; i += channels) {
                for (int c = 0; c < channels; c++) {
                    float h = (work[from + i + c] - pivot[c] - partSum[c]) * scale[c];
                    xhat[from + i + c] = h;
                    chunk[i + c] = layer[c] * h + layer[channels + c];
                }
            }
            out.put(from, chunk, 0, perChunk);
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
        Source src = new Source(gradOut);
        double[] sumG = new double[channels];
        double[] sumGx = new double[channels];
        for (int k = 0; k < chunks; k++) {
            int from = k * perChunk;
            src.load(k, work, from);
            for (int i = from; i < from + perChunk; i += channels) {      // in double: dx cancels these sums
                for (int c = 0; c < channels; c++) {
                    sumG[c] += work[i + c];
                    sumGx[c] += (double) work[i + c] * xhat[i + c];
                }
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
        int n = rows / (in.height() * in.width());
        gradIn = matrix ? Buffers.reuse(gradIn, n, channels)
                : Buffers.reuse(gradIn, n, in.height(), in.width(), channels);
        FloatBuffer out = gradIn.data().asNioFloat();
        double[] k = new double[channels];
        for (int c = 0; c < channels; c++) {
            k[c] = layer[c] * invStd[c] / rows;
        }
        for (int j = 0; j < chunks; j++) {
            int from = j * perChunk;
            for (int i = 0; i < perChunk; i += channels) {
                for (int c = 0; c < channels; c++) {
                    int v = from + i + c;
                    chunk[i + c] = (float) (k[c] * (rows * (double) work[v] - sumG[c] - xhat[v] * sumGx[c]));
                }
            }
            out.put(from, chunk, 0, perChunk);
        }
        return matrix ? gradIn : gradIn.permute(0, 3, 1, 2);
    }

    /** A batch ([N, C, H, W] any strides, or [N, C]) read chunk by chunk in NHWC order. */
    private final class Source {
        private final INDArray dense;
        private final FloatBuffer buffer;
        private final long[] strides;

        Source(INDArray a) {
            this.dense = matrix ? (a.ordering() == 'c' && a.stride(1) == 1 && a.stride(0) == channels ? Images.dense(a)
                    : a.dup('c')) : Images.dense(a);
            this.buffer = dense.data().asNioFloat();
            this.strides = dense.stride();
        }

        /** Chunk {@code k} (image k, or the whole matrix) into {@code dst} from {@code at}. */
        void load(int k, float[] dst, int at) {
            if (matrix) {
                buffer.get(0, dst, at, perChunk);
            } else if (Images.isNhwc(strides, in)) {
                buffer.get((int) (k * strides[0]), dst, at, perChunk);
            } else {
                float[] image = at == 0 && dst.length == perChunk ? dst : new float[perChunk];
                Images.load(buffer, strides, in, k, image);
                if (image != dst) {
                    System.arraycopy(image, 0, dst, at, perChunk);
                }
            }
        }
    }
}
