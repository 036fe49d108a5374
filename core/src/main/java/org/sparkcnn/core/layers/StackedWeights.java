package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * A convolution's weights W [F, C·kH·kW] (patch order (c, kh, kw)) and bias b [F], as stored in the flat parameter
 * vector, rearranged into the GEMM operand S = [W^T ; b] of shape [P + 1, F] whose rows follow the patch order
 * (kh, kw, c) of {@link Patches}, and S's gradient added back in the stored layout. Both layouts hold the same
 * (P + 1)·F numbers, so the rearrangement is one permutation, applied on heap copies (read from and written to the
 * views' memory directly).
 */
final class StackedWeights {
    private final int[] order;       // S[t] = params[order[t]] for t < (P+1)·F, S flattened row-major
    private final INDArray stacked;  // [P+1, F]
    private final INDArray grad;     // [P+1, F]
    private final float[] storedHeap;    // heap copies of the stored layout and of S
    private final float[] stackedHeap;

    StackedWeights(int filters, int channels, int kernelH, int kernelW) {
        int k = kernelH * kernelW;
        int patch = channels * k;
        order = new int[(patch + 1) * filters];
        for (int i = 0; i < k; i++) {                         // i = kh·kW + kw
            for (int c = 0; c < channels; c++) {
                for (int f = 0; f < filters; f++) {
                    order[((i * channels) + c) * filters + f] = f * patch + c * k + i;
                }
            }
        }
        for (int f = 0; f < filters; f++) {
            order[patch * filters + f] = patch * filters + f;
        }
        stacked = Nd4j.createUninitialized(DataType.FLOAT, new long[]{patch + 1, filters}, 'c');
        grad = Nd4j.createUninitialized(DataType.FLOAT, new long[]{patch + 1, filters}, 'c');
        storedHeap = new float[order.length];
        stackedHeap = new float[order.length];
    }

    /** S from the layer's parameter view (W then b, contiguous); returns S [P+1, F]. */
    INDArray stack(INDArray params) {
        FloatBuffer src = params.data().asNioFloat();        // positioned at the view's first element
        src.get(src.position(), storedHeap);
        for (int t = 0; t < order.length; t++) {
            stackedHeap[t] = storedHeap[order[t]];
        }
        stacked.data().asNioFloat().put(0, stackedHeap);
        return stacked;
    }

    /** S as of the last {@link #stack}. */
    INDArray current() {
        return stacked;
    }

    /** The buffer [P+1, F] for dL/dS, to be filled by the caller before {@link #addGradient}. */
    INDArray gradient() {
        return grad;
    }

    /** grads += dL/dS rearranged into the stored layout (W then b), for the layer's gradient view (contiguous). */
    void addGradient(INDArray grads) {
        FloatBuffer dst = grads.data().asNioFloat();
        int at = dst.position();
        grad.data().asNioFloat().get(0, stackedHeap);
        dst.get(at, storedHeap);
        for (int t = 0; t < order.length; t++) {
            storedHeap[order[t]] += stackedHeap[t];
        }
        dst.put(at, storedHeap);
    }
}
