package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * A bias row and a batch matrix, moved through heap copies (one small ND4J op costs tens of microseconds, more
 * than these loops): filling a matrix with copies of the bias, and adding a matrix's column sums into the bias
 * gradient. One instance per layer; its heap work arrays grow with the batch.
 */
final class RowVectors {
    private final DataType dtype;
    private float[] matF;
    private float[] rowF;
    private double[] matD;
    private double[] rowD;

    RowVectors(DataType dtype) {
        this.dtype = dtype;
    }

    /** m[i, :] = v for every row i; m: a dense c-order [R, K] array, v: a contiguous view of K values. */
    void fillRows(INDArray m, INDArray v) {
        int r = (int) m.size(0);
        int k = (int) v.length();
        if (dtype == DataType.FLOAT) {
            grow(r * k, k);
            FloatBuffer src = v.data().asNioFloat();               // positioned at the view's first element
            src.get(src.position(), rowF, 0, k);
            for (int i = 0; i < r; i++) {
                System.arraycopy(rowF, 0, matF, i * k, k);
            }
            m.data().asNioFloat().put(0, matF, 0, r * k);
        } else {
            grow(r * k, k);
            DoubleBuffer src = v.data().asNioDouble();
            src.get(src.position(), rowD, 0, k);
            for (int i = 0; i < r; i++) {
                System.arraycopy(rowD, 0, matD, i * k, k);
            }
            m.data().asNioDouble().put(0, matD, 0, r * k);
        }
    }

    /** acc[j] += sum_i g[i, j]; g: [R, K] (any layout), acc: a contiguous view of K values. */
    void addColumnSums(INDArray g, INDArray acc) {
        INDArray d = g.ordering() == 'c' && g.elementWiseStride() == 1 ? Images.dense(g) : g.dup('c');
        int r = (int) d.size(0);
        int k = (int) d.size(1);
        grow(r * k, k);
        if (dtype == DataType.FLOAT) {
            d.data().asNioFloat().get(0, matF, 0, r * k);
            FloatBuffer dst = acc.data().asNioFloat();
            int at = dst.position();
            dst.get(at, rowF, 0, k);
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < k; j++) {
                    rowF[j] += matF[i * k + j];
                }
            }
            dst.put(at, rowF, 0, k);
        } else {
            d.data().asNioDouble().get(0, matD, 0, r * k);
            DoubleBuffer dst = acc.data().asNioDouble();
            int at = dst.position();
            dst.get(at, rowD, 0, k);
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < k; j++) {
                    rowD[j] += matD[i * k + j];
                }
            }
            dst.put(at, rowD, 0, k);
        }
    }

    private void grow(int size, int k) {
        if (dtype == DataType.FLOAT) {
            matF = matF == null || matF.length < size ? new float[size] : matF;
            rowF = rowF == null || rowF.length < k ? new float[k] : rowF;
        } else {
            matD = matD == null || matD.length < size ? new double[size] : matD;
            rowD = rowD == null || rowD.length < k ? new double[k] : rowD;
        }
    }
}
