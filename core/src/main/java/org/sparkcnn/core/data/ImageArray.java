package org.sparkcnn.core.data;

import org.sparkcnn.core.Shape;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Labelled images in two arrays: {@code size × C × H × W} unsigned pixel bytes, example i at
 * {@code i * shape.size()}, and one unsigned-byte label per example. Immutable by convention: the backing arrays
 * are shared, never copied, and must not be written. One array holds at most 2^31 bytes; a larger set is a list
 * of these ({@link ImageChunks}).
 */
public final class ImageArray implements ImageSet, Serializable {
    private static final long serialVersionUID = 2L;

    private final byte[] pixels;
    private final byte[] labels;
    private final Shape shape;

    /** Wraps the arrays without copying; pixels must hold exactly {@code labels.length * shape.size()} bytes. */
    public ImageArray(byte[] pixels, byte[] labels, Shape shape) {
        if ((long) labels.length * shape.size() != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not hold " + labels.length
                    + " images of " + shape);
        }
        this.pixels = pixels;
        this.labels = labels;
        this.shape = shape;
    }

    /** No examples, of the given shape. */
    public static ImageArray empty(Shape shape) {
        return new ImageArray(new byte[0], new byte[0], shape);
    }

    /**
     * The file names of the training or test part, without the optional {@code .gz}: the images file (IDX3 for one
     * channel or IDX4 for C channels, in that order of preference) and the labels file.
     */
    public static String[] fileNames(boolean train) {
        String part = train ? "train" : "t10k";
        return new String[] {part + "-images-idx3-ubyte", part + "-images-idx4-ubyte", part + "-labels-idx1-ubyte"};
    }

    /** The names a directory must hold, for error messages. */
    public static String expectedNames(boolean train) {
        String[] names = fileNames(train);
        return names[0] + "[.gz] (or " + names[1] + "[.gz]) and " + names[2] + "[.gz]";
    }

    /**
     * Loads the training or test part from {@code dir} into one JVM, taking each file plain if present, else with
     * {@code .gz}. A missing directory or file is a {@link NoSuchFileException} naming the path and the expected
     * names. (Spark jobs do not use this: their executors read their own shards.)
     */
    public static ImageArray load(Path dir, boolean train) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory; expected it to hold "
                    + expectedNames(train));
        }
        String[] names = fileNames(train);
        Path images = find(dir, train, names[0], names[1]);
        Path labels = find(dir, train, names[2]);
        try (InputStream i = Files.newInputStream(images); InputStream l = Files.newInputStream(labels)) {
            return read(i, images.toString(), Files.size(images), l, labels.toString(), Files.size(labels));
        }
    }

    /**
     * Reads an IDX images stream and its labels stream (each plain or gzipped; a length is -1 if unknown),
     * which must hold the same number of examples. The names appear in every error message.
     */
    public static ImageArray read(InputStream images, String imagesName, long imagesLength,
                                  InputStream labels, String labelsName, long labelsLength) throws IOException {
        byte[] labelBytes = Idx.readLabels(labels, labelsName, labelsLength);
        Idx.Images img = Idx.readImages(images, imagesName, imagesLength);
        if (img.count() != labelBytes.length) {
            throw new IdxFormatException(imagesName, "holds " + img.count() + " images but " + labelsName
                    + " holds " + labelBytes.length + " labels");
        }
        return new ImageArray(img.pixels(), labelBytes, img.shape());
    }

    private static Path find(Path dir, boolean train, String... names) throws NoSuchFileException {
        for (String name : names) {
            for (String candidate : new String[] {name, name + ".gz"}) {
                if (Files.isRegularFile(dir.resolve(candidate))) {
                    return dir.resolve(candidate);
                }
            }
        }
        throw new NoSuchFileException(dir.resolve(names[0]) + "[.gz]", null, "missing; expected "
                + expectedNames(train));
    }

    /** The examples of {@code parts} one after the other (all of one shape). */
    public static ImageArray concat(Shape shape, List<ImageArray> parts) {
        long n = 0;
        for (ImageArray p : parts) {
            if (!p.shape.equals(shape)) {
                throw new IllegalArgumentException("images of " + p.shape + " among images of " + shape);
            }
            n += p.size();
        }
        byte[] pixels = new byte[Math.toIntExact(n * shape.size())];
        byte[] labels = new byte[(int) n];
        int at = 0;
        for (ImageArray p : parts) {
            System.arraycopy(p.pixels, 0, pixels, at * shape.size(), p.pixels.length);
            System.arraycopy(p.labels, 0, labels, at, p.labels.length);
            at += p.size();
        }
        return new ImageArray(pixels, labels, shape);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public int label(int i) {
        return labels[i] & 0xff;
    }

    @Override
    public byte[] pixelArray(int i) {
        return pixels;
    }

    @Override
    public int pixelOffset(int i) {
        return i * shape.size();
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
    public ImageArray limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("limit must be non-negative, got " + n);
        }
        if (n >= size()) {
            return this;
        }
        return new ImageArray(Arrays.copyOf(pixels, n * shape.size()), Arrays.copyOf(labels, n), shape);
    }

    /** A compact copy holding the examples at {@code indices}, in that order (repeats allowed). */
    public ImageArray select(int[] indices) {
        int per = shape.size();
        byte[] p = new byte[Math.multiplyExact(indices.length, per)];
        byte[] l = new byte[indices.length];
        for (int j = 0; j < indices.length; j++) {
            int i = indices[j];
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException("example " + i + " outside data set of size " + size());
            }
            System.arraycopy(pixels, i * per, p, j * per, per);
            l[j] = labels[i];
        }
        return new ImageArray(p, l, shape);
    }
}
