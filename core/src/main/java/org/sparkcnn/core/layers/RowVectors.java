package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * A bias row and a batch matrix, moved through heap copies (one small ND4J op costs tens of microseconds, more
 * than these loops): filling a matrix with copies of the bias, and adding a matrix's column sums into the bias
 * gradient. One instance per layer; its heap work arrays grow with the batch.
 */
final class RowVectors {
    private float[] mat;
    private float[] row;

    /** m[i, :] = v for every row i; m: a dense c-order [R, K] array, v: a contiguous view of K values. */
    void fillRows(INDArray m, INDArray v) {
        int r = (int) m.size(0);
        int k = (int) v.length();
        grow(r * k, k);
        FloatBuffer src = v.data().asNioFloat();                   // positioned at the view's first element
        src.get(src.position(), row, 0, k);
        for (int i = 0; i < r; i++) {
            System.arraycopy(row, 0, mat, i * k, k);
        }
        m.data().asNioFloat().put(0, mat, 0, r * k);
    }

    /** acc[j] += sum_i g[i, j]; g: [R, K] (any layout), acc: a contiguous view of K values. */
    void addColumnSums(INDArray g, INDArray acc) {
        INDArray d = g.ordering() == 'c' && g.elementWiseStride() == 1 ? Images.dense(g) : g.dup('c');
        int r = (int) d.size(0);
        int k = (int) d.size(1);
        grow(r * k, k);
        d.data().asNioFloat().get(0, mat, 0, r * k);
        FloatBuffer dst = acc.data().asNioFloat();
        int at = dst.position();
        dst.get(at, row, 0, k);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < k; j++) {
                row[j] += mat[i * k + j];
            }
        }
        dst.put(at, row, 0, k);
    }

    private void grow(int size, int k) {
        mat = mat == null || mat.length < size ? new float[size] : mat;
        row = row == null || row.length < k ? new float[k] : row;
    }
}
