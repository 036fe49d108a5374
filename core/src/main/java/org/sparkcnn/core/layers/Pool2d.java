package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Shape;

/**
 * Max or average pooling. The input's windows are gathered by im2col into rows [N·oH·oW·C, k·k]; max pooling
 * keeps the first arg-max of each row for backward, so exactly one input receives each output's gradient.
 */
final class Pool2d implements Layer {
    private final Pool2dSpec spec;
    private final Shape in;
    private final Shape out;
    private final DataType dtype;
    private INDArray col;      // [N, oH, oW, C, k, k]
    private INDArray y;        // [N*oH*oW*C]
    private INDArray argMax;   // [N*oH*oW*C]
    private INDArray gradIn;   // [N, H, W, C]

    Pool2d(Pool2dSpec spec, Shape in, DataType dtype) {
        this.spec = spec;
        this.in = in;
        this.out = spec.outputShape(in);
        this.dtype = dtype;
    }

    private long rows(long n) {
        return n * out.height() * out.width() * out.channels();
    }

    private int window() {
        return spec.kernel() * spec.kernel();
    }

    // x: [N, C, H, W] -> y: [N, C, oH, oW] (view of NHWC memory)
    @Override
    public INDArray forward(INDArray x, boolean training, long noiseSeed) {
        long n = x.size(0);
        int k = spec.kernel();
        col = Buffers.reuse(col, dtype, n, out.height(), out.width(), in.channels(), k, k);
        Convolution.im2col(x, k, k, spec.stride(), spec.stride(), 0, 0, 1, 1, false, col.permute(0, 3, 4, 5, 1, 2));
        INDArray windows = col.reshape('c', rows(n), window());
        if (spec.max()) {
            y = windows.max(1);
            if (training) {
                argMax = Nd4j.argMax(windows, 1);
            }
        } else {
            y = windows.mean(1);
        }
        return y.reshape('c', n, out.height(), out.width(), out.channels()).permute(0, 3, 1, 2);
    }

    // gradOut: [N, C, oH, oW] -> dL/dx: [N, C, H, W]
    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        if (!needInputGrad) {
            return null;
        }
        long n = gradOut.size(0);
        long rows = rows(n);
        INDArray g = gradOut.permute(0, 2, 3, 1).dup('c').reshape('c', rows, 1);
        INDArray dcol = col.reshape('c', rows, window());
        if (spec.max()) {
            // y = x[argmax]: the gradient goes to the (first) maximal element of each window
            dcol.assign(0);
            scatter(argMax.data().asNioLong(), g, dcol, window());
        } else {
            // y = mean(window): each element receives g / (k*k)
            dcol.assign(0).addiColumnVector(g).divi(window());
        }
        gradIn = Buffers.reuse(gradIn, dtype, n, in.height(), in.width(), in.channels());
        INDArray gradInNchw = gradIn.permute(0, 3, 1, 2);
        Convolution.col2im(col.permute(0, 3, 4, 5, 1, 2), gradInNchw, spec.stride(), spec.stride(), 0, 0,
                in.height(), in.width(), 1, 1);
        return gradInNchw;
    }

    /** dcol[r, idx[r]] = g[r] for every row r; all three arrays are fresh c-order buffers (offset 0). */
    private static void scatter(java.nio.LongBuffer idx, INDArray g, INDArray dcol, int window) {
        int rows = (int) g.length();
        if (dcol.dataType() == DataType.FLOAT) {
            java.nio.FloatBuffer src = g.data().asNioFloat();
            java.nio.FloatBuffer dst = dcol.data().asNioFloat();
            for (int r = 0; r < rows; r++) {
                dst.put(r * window + (int) idx.get(r), src.get(r));
            }
        } else {
            java.nio.DoubleBuffer src = g.data().asNioDouble();
            java.nio.DoubleBuffer dst = dcol.data().asNioDouble();
            for (int r = 0; r < rows; r++) {
                dst.put(r * window + (int) idx.get(r), src.get(r));
            }
        }
    }
}
