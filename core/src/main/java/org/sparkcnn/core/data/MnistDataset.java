package org.sparkcnn.core.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * MNIST-style examples in memory: {@code size × rows × cols} unsigned pixel bytes, row-major, example i at
 * {@code i*rows*cols}, and one label 0-9 per example. Immutable by convention: the backing arrays are shared,
 * never copied, and must not be written.
 */
public final class MnistDataset implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int CLASSES = 10;
    private static final float[] PIXEL_SCALE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            PIXEL_SCALE[v] = v / 255f;
        }
    }

    private final byte[] pixels;
    private final byte[] labels;
    private final int rows;
    private final int cols;

    /** Wraps the arrays without copying; pixels must hold exactly {@code labels.length*rows*cols} bytes. */
    public MnistDataset(byte[] pixels, byte[] labels, int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + rows + "x" + cols);
        }
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not hold " + labels.length
                    + " images of " + rows + "x" + cols);
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) >= CLASSES) {
                throw new IllegalArgumentException("label " + (labels[i] & 0xff) + " at index " + i
                        + " is not a digit 0-9");
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.rows = rows;
        this.cols = cols;
    }

    /** The image and label file names of the training or test part, without the optional {@code .gz}. */
    public static String[] fileNames(boolean train) {
        String part = train ? "train" : "t10k";
        return new String[] {part + "-images-idx3-ubyte", part + "-labels-idx1-ubyte"};
    }

    /**
     * Loads the training or test part from {@code dir}, taking each file plain if present, else with {@code .gz}.
     * A missing directory or file is a {@link NoSuchFileException} naming the path and the expected names.
     */
    public static MnistDataset load(Path dir, boolean train) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory; expected it to hold "
                    + expectedNames(train));
        }
        String[] names = fileNames(train);
        Path images = find(dir, names[0], train);
        Path labels = find(dir, names[1], train);
        try (InputStream i = Files.newInputStream(images); InputStream l = Files.newInputStream(labels)) {
            return read(i, images.toString(), Files.size(images), l, labels.toString(), Files.size(labels));
        }
    }

    /**
     * Reads an IDX images stream and its labels stream (each plain or gzipped; a length is -1 if unknown),
     * which must hold the same number of examples. The names appear in every error message.
     */
    public static MnistDataset read(InputStream images, String imagesName, long imagesLength,
                                    InputStream labels, String labelsName, long labelsLength) throws IOException {
        byte[] labelBytes = Idx.readLabels(labels, labelsName, labelsLength);
        Idx.Images img = Idx.readImages(images, imagesName, imagesLength);
        if (img.count() != labelBytes.length) {
            throw new IdxFormatException(imagesName, "holds " + img.count() + " images but " + labelsName
                    + " holds " + labelBytes.length + " labels");
        }
        return new MnistDataset(img.pixels(), labelBytes, img.rows(), img.cols());
    }

    private static Path find(Path dir, String name, boolean train) throws NoSuchFileException {
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new NoSuchFileException(plain + "[.gz]", null, "missing; expected " + expectedNames(train));
    }

    private static String expectedNames(boolean train) {
        String[] names = fileNames(train);
        return names[0] + "[.gz] and " + names[1] + "[.gz]";
    }

    public int size() {
        return labels.length;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The digit 0-9 of example i. */
    public int label(int i) {
        return labels[i];
    }

    /** The backing pixel array (not a copy). */
    public byte[] pixels() {
        return pixels;
    }

    /** The backing label array (not a copy). */
    public byte[] labels() {
        return labels;
    }

    /** The first n examples; this data set itself if it has no more than n. */
    public MnistDataset limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("limit must be non-negative, got " + n);
        }
        if (n >= size()) {
            return this;
        }
        return new MnistDataset(Arrays.copyOf(pixels, n * rows * cols), Arrays.copyOf(labels, n), rows, cols);
    }

    /** A compact copy holding the examples at {@code indices}, in that order (repeats allowed). */
    public MnistDataset select(int[] indices) {
        int per = rows * cols;
        byte[] p = new byte[Math.multiplyExact(indices.length, per)];
        byte[] l = new byte[indices.length];
        for (int j = 0; j < indices.length; j++) {
            int i = checkIndex(indices[j]);
            System.arraycopy(pixels, i * per, p, j * per, per);
            l[j] = labels[i];
        }
        return new MnistDataset(p, l, rows, cols);
    }

    /**
     * Writes examples {@code order[from .. from+count)} as a batch: x[j, 0, r, c] = pixel / 255 and y[j] the
     * one-hot row of the label. x: c-order [count, 1, rows, cols], y: c-order [count, 10], each FLOAT or DOUBLE,
     * contiguous from offset 0. Writes straight into the off-heap buffers and allocates no arrays.
     */
    public void fillBatch(int[] order, int from, int count, INDArray x, INDArray y) {
        if (from < 0 || count < 0 || from > order.length - count) {
            throw new IndexOutOfBoundsException("batch [" + from + ", " + from + "+" + count + ") outside order of length "
                    + order.length);
        }
        if (!dense(x) || x.rank() != 4 || x.size(0) != count || x.size(1) != 1 || x.size(2) != rows
                || x.size(3) != cols) {
            throw new IllegalArgumentException("x must be a dense c-order FLOAT or DOUBLE array [" + count + ", 1, "
                    + rows + ", " + cols + "] at offset 0, got " + x.shapeInfoToString().replace('\n', ' '));
        }
        if (!dense(y) || y.rank() != 2 || y.size(0) != count || y.size(1) != CLASSES) {
            throw new IllegalArgumentException("y must be a dense c-order FLOAT or DOUBLE array [" + count + ", "
                    + CLASSES + "] at offset 0, got " + y.shapeInfoToString().replace('\n', ' '));
        }
        int per = rows * cols;
        if (x.dataType() == DataType.FLOAT) {
            FloatBuffer out = x.data().asNioFloat();
            for (int j = 0; j < count; j++) {
                int src = checkIndex(order[from + j]) * per;
                int dst = j * per;
                for (int k = 0; k < per; k++) {
                    out.put(dst + k, PIXEL_SCALE[pixels[src + k] & 0xff]);
                }
            }
        } else {
            DoubleBuffer out = x.data().asNioDouble();
            for (int j = 0; j < count; j++) {
                int src = checkIndex(order[from + j]) * per;
                int dst = j * per;
                for (int k = 0; k < per; k++) {
                    out.put(dst + k, PIXEL_SCALE[pixels[src + k] & 0xff]);
                }
            }
        }
        if (y.dataType() == DataType.FLOAT) {
            FloatBuffer out = y.data().asNioFloat();
            for (int j = 0; j < count; j++) {
                int label = labels[order[from + j]];
                for (int c = 0; c < CLASSES; c++) {
                    out.put(j * CLASSES + c, c == label ? 1f : 0f);
                }
            }
        } else {
            DoubleBuffer out = y.data().asNioDouble();
            for (int j = 0; j < count; j++) {
                int label = labels[order[from + j]];
                for (int c = 0; c < CLASSES; c++) {
                    out.put(j * CLASSES + c, c == label ? 1d : 0d);
                }
            }
        }
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("example " + i + " outside data set of size " + size());
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
