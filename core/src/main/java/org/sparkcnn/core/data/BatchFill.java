package org.sparkcnn.core.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Shape;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/** {@link ImageSet#fillBatch}: scaled pixels and one-hot labels written into dense off-heap buffers. */
final class BatchFill {
    private static final float[] PIXEL_SCALE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            PIXEL_SCALE[v] = v / 255f;
        }
    }

    private BatchFill() { }

    static void fill(ImageSet data, int[] order, int from, int count, INDArray x, INDArray y) {
        if (from < 0 || count < 0 || from > order.length - count) {
            throw new IndexOutOfBoundsException("batch [" + from + ", " + from + "+" + count + ") outside order of length "
                    + order.length);
        }
        Shape s = data.shape();
        if (!dense(x) || x.rank() != 4 || x.size(0) != count || x.size(1) != s.channels() || x.size(2) != s.height()
                || x.size(3) != s.width()) {
            throw new IllegalArgumentException("x must be a dense c-order FLOAT or DOUBLE array [" + count + ", "
                    + s.channels() + ", " + s.height() + ", " + s.width() + "] at offset 0, got "
                    + x.shapeInfoToString().replace('\n', ' '));
        }
        if (!dense(y) || y.rank() != 2 || y.size(0) != count) {
            throw new IllegalArgumentException("y must be a dense c-order FLOAT or DOUBLE array [" + count
                    + ", classes] at offset 0, got " + y.shapeInfoToString().replace('\n', ' '));
        }
        int classes = (int) y.size(1);
        int per = s.size();
        boolean floats = x.dataType() == DataType.FLOAT;
        FloatBuffer xf = floats ? x.data().asNioFloat() : null;
        DoubleBuffer xd = floats ? null : x.data().asNioDouble();
        for (int j = 0; j < count; j++) {
            int i = checkIndex(data, order[from + j]);
            byte[] src = data.pixelArray(i);
            int at = data.pixelOffset(i);
            int dst = j * per;
            if (floats) {
                for (int k = 0; k < per; k++) {
                    xf.put(dst + k, PIXEL_SCALE[src[at + k] & 0xff]);
                }
            } else {
                for (int k = 0; k < per; k++) {
                    xd.put(dst + k, PIXEL_SCALE[src[at + k] & 0xff]);
                }
            }
        }
        boolean floatLabels = y.dataType() == DataType.FLOAT;
        FloatBuffer yf = floatLabels ? y.data().asNioFloat() : null;
        DoubleBuffer yd = floatLabels ? null : y.data().asNioDouble();
        for (int j = 0; j < count; j++) {
            int label = data.label(order[from + j]);
            if (label >= classes) {
                throw new IllegalArgumentException("label " + label + " of example " + order[from + j]
                        + " is not below the model's " + classes + " classes");
            }
            for (int c = 0; c < classes; c++) {
                if (floatLabels) {
                    yf.put(j * classes + c, c == label ? 1f : 0f);
                } else {
                    yd.put(j * classes + c, c == label ? 1d : 0d);
                }
            }
        }
    }

    private static int checkIndex(ImageSet data, int i) {
        if (i < 0 || i >= data.size()) {
            throw new IndexOutOfBoundsException("example " + i + " outside data set of size " + data.size());
        }
        return i;
    }

    /** Whether the NIO view of a's buffer, from index 0, is exactly a's elements in c order. */
    private static boolean dense(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && a.length() <= a.data().length()
                && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE)
                && (a.length() <= 1 || a.elementWiseStride() == 1);
    }
}
