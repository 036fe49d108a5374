package org.sparkcnn.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Shape;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.sparkcnn.core.data.IdxFiles.SAMPLE;
import static org.sparkcnn.core.data.IdxFiles.sample;

/** ImageArray on the bundled sample: 8,000 training and 1,000 test digits. */
class ImageArrayTest {

    @Test
    void loadsTrainAndTestWithTheirLabelHistograms() throws IOException {
        ImageArray train = ImageArray.load(SAMPLE, true);
        ImageArray test = ImageArray.load(SAMPLE, false);
        assertEquals(8000, train.size());
        assertEquals(1000, test.size());
        assertEquals(new Shape(1, 28, 28), train.shape());
        assertEquals(new Shape(1, 28, 28), test.shape());
        assertEquals(8000 * 784, train.pixels().length);
        int[] trainHist = histogram(train);
        int[] testHist = histogram(test);
        assertArrayEquals(new int[] {805, 890, 782, 833, 769, 703, 846, 851, 739, 782}, trainHist);
        assertArrayEquals(new int[] {92, 119, 100, 101, 103, 93, 89, 103, 102, 98}, testHist);
        assertEquals(8000, Arrays.stream(trainHist).sum());
        assertEquals(1000, Arrays.stream(testHist).sum());
        assertEquals(9, train.label(0));
        assertEquals(1, test.label(0));
        assertEquals(17768, pixelSum(train, 0));
        assertEquals(12937, pixelSum(test, 0));
    }

    @Test
    void plainCopiesReadLikeTheGzippedOriginals(@TempDir Path dir) throws IOException {
        for (boolean train : new boolean[] {true, false}) {
            String[] names = ImageArray.fileNames(train);
            for (String name : new String[] {names[0], names[2]}) {
                Files.write(dir.resolve(name), sample(name));
            }
            ImageArray gz = ImageArray.load(SAMPLE, train);
            ImageArray plain = ImageArray.load(dir, train);
            assertArrayEquals(gz.pixels(), plain.pixels());
            assertArrayEquals(gz.labels(), plain.labels());
        }
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        Path images = SAMPLE.resolve("t10k-images-idx3-ubyte.gz");
        Path labels = SAMPLE.resolve("train-labels-idx1-ubyte.gz");
        try (InputStream i = Files.newInputStream(images); InputStream l = Files.newInputStream(labels)) {
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> ImageArray.read(
                    i, images.toString(), Files.size(images), l, labels.toString(), Files.size(labels)));
            assertEquals(images + ": holds 1000 images but " + labels + " holds 8000 labels", e.getMessage());
        }
    }

    @Test
    void missingFileOrDirectoryNamesThePathAndTheExpectedFiles(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), sample("train-images-idx3-ubyte"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ImageArray.load(dir, true));
        assertEquals(dir.resolve("train-labels-idx1-ubyte") + "[.gz]: missing; expected"
                + " train-images-idx3-ubyte[.gz] (or train-images-idx4-ubyte[.gz]) and train-labels-idx1-ubyte[.gz]",
                e.getMessage());
        Path nowhere = dir.resolve("nowhere");
        e = assertThrows(NoSuchFileException.class, () -> ImageArray.load(nowhere, false));
        assertEquals(nowhere + ": no such directory; expected it to hold"
                + " t10k-images-idx3-ubyte[.gz] (or t10k-images-idx4-ubyte[.gz]) and t10k-labels-idx1-ubyte[.gz]",
                e.getMessage());
    }

    @Test
    void fillBatchWritesScaledPixelsAndOneHotLabels() throws IOException {
        ImageArray test = ImageArray.load(SAMPLE, false);
        int[] order = {999, 3, 500, 0, 42, 7, 7, 123};
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray x = Nd4j.create(type, 3, 1, 28, 28);
            INDArray y = Nd4j.create(type, 3, 10);
            for (int from : new int[] {0, 2, 5}) {
                test.fillBatch(order, from, 3, x, y);
                for (int j = 0; j < 3; j++) {
                    int i = order[from + j];
                    for (int r = 0; r < 28; r++) {
                        for (int c = 0; c < 28; c++) {
                            int raw = test.pixels()[i * 784 + r * 28 + c] & 0xff;
                            assertEquals(raw / 255.0, x.getDouble(j, 0, r, c), 1e-7);
                        }
                    }
                    for (int k = 0; k < 10; k++) {
                        assertEquals(k == test.label(i) ? 1.0 : 0.0, y.getDouble(j, k));
                    }
                }
            }
            assertEquals(1.0, y.sum().getDouble(0) / 3, 0);
        }
    }

    @Test
    void fillBatchRefusesArraysOfTheWrongShape() throws IOException {
        ImageArray test = ImageArray.load(SAMPLE, false).limit(10);
        int[] order = {0, 1, 2};
        INDArray y = Nd4j.create(DataType.FLOAT, 3, 10);
        assertThrows(IllegalArgumentException.class,
                () -> test.fillBatch(order, 0, 3, Nd4j.create(DataType.FLOAT, 3, 784), y));
        assertThrows(IllegalArgumentException.class,
                () -> test.fillBatch(order, 0, 3, Nd4j.create(DataType.FLOAT, new long[] {3, 1, 28, 28}, 'f'), y));
        assertThrows(IndexOutOfBoundsException.class,
                () -> test.fillBatch(order, 1, 3, Nd4j.create(DataType.FLOAT, 3, 1, 28, 28), y));
    }

    @Test
    void limitAndSelectCopyTheChosenExamples() throws IOException {
        ImageArray test = ImageArray.load(SAMPLE, false);
        assertSame(test, test.limit(1000));
        ImageArray first = test.limit(10);
        assertEquals(10, first.size());
        assertEquals(7840, first.pixels().length);
        ImageArray picked = test.select(new int[] {999, 0, 999});
        assertEquals(3, picked.size());
        assertEquals(test.label(999), picked.label(0));
        assertEquals(test.label(0), picked.label(1));
        assertEquals(pixelSum(test, 999), pixelSum(picked, 2));
        assertEquals(pixelSum(test, 0), pixelSum(picked, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> test.select(new int[] {1000}));
    }

    @Test
    void constructorChecksLengths() {
        assertThrows(IllegalArgumentException.class, () -> new ImageArray(new byte[7], new byte[2], new Shape(1, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> new ImageArray(new byte[8], new byte[1], new Shape(1, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> new Shape(1, 0, 2));
    }

    @Test
    void fourDimensionalFilesHoldChannelsAndAnyLabelBelowTheClasses(@TempDir Path dir) throws IOException {
        // 3 images of 3x2x2, labels 0, 11, 5: an IDX4 images file (magic 2052) beside an IDX1 labels file
        byte[] pixels = new byte[3 * 12];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        ByteBuffer images = ByteBuffer.allocate(20 + pixels.length).putInt(Idx.IMAGES4_MAGIC).putInt(3).putInt(3)
                .putInt(2).putInt(2).put(pixels);
        ByteBuffer labels = ByteBuffer.allocate(8 + 3).putInt(Idx.LABELS_MAGIC).putInt(3).put(new byte[] {0, 11, 5});
        Files.write(dir.resolve("train-images-idx4-ubyte"), images.array());
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels.array());
        ImageArray d = ImageArray.load(dir, true);
        assertEquals(new Shape(3, 2, 2), d.shape());
        assertEquals(11, d.label(1));
        assertArrayEquals(pixels, d.pixels());

        INDArray x = Nd4j.create(DataType.FLOAT, 3, 3, 2, 2);
        INDArray y = Nd4j.create(DataType.FLOAT, 3, 12);
        d.fillBatch(new int[] {2, 1, 0}, 0, 3, x, y);
        assertEquals((pixels[12 + 5] & 0xff) / 255f, x.getFloat(1, 1, 0, 1), 0f);   // image 1, channel 1, (0, 1)
        assertEquals(1f, y.getFloat(1, 11), 0f);
        assertEquals(1f, y.sumNumber().floatValue(), 2f);
        INDArray y11 = Nd4j.create(DataType.FLOAT, 3, 11);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.fillBatch(new int[] {0, 1, 2}, 0, 3, x, y11));
        assertEquals("label 11 of example 1 is not below the model's 11 classes", e.getMessage());
    }

    @Test
    void chunksReadAsTheArrayTheyCutUp() throws IOException {
        ImageArray test = ImageArray.load(SAMPLE, false).limit(250);
        int[] all = new int[250];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        List<ImageArray> parts = new ArrayList<>();
        for (int from = 0; from < 250; from += 64) {
            parts.add(test.select(Arrays.copyOfRange(all, from, Math.min(250, from + 64))));
        }
        ImageChunks chunks = new ImageChunks(test.shape(), parts);
        assertEquals(250, chunks.size());
        int[] order = {249, 0, 63, 64, 128, 200};
        INDArray x1 = Nd4j.create(DataType.FLOAT, 6, 1, 28, 28);
        INDArray y1 = Nd4j.create(DataType.FLOAT, 6, 10);
        INDArray x2 = Nd4j.create(DataType.FLOAT, 6, 1, 28, 28);
        INDArray y2 = Nd4j.create(DataType.FLOAT, 6, 10);
        test.fillBatch(order, 0, 6, x1, y1);
        chunks.fillBatch(order, 0, 6, x2, y2);
        assertEquals(x1, x2);
        assertEquals(y1, y2);
        assertSame(test, test.limit(300));
        assertArrayEquals(test.pixels(), ImageArray.concat(test.shape(), parts).pixels());
        assertThrows(IllegalArgumentException.class, () -> new ImageChunks(test.shape(), List.of(parts.get(0),
                parts.get(3), parts.get(1))));
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        ImageArray first = ImageArray.load(SAMPLE, false).limit(5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(first);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            ImageArray copy = (ImageArray) in.readObject();
            assertArrayEquals(first.pixels(), copy.pixels());
            assertArrayEquals(first.labels(), copy.labels());
            assertEquals(first.shape(), copy.shape());
        }
    }

    private static int[] histogram(ImageArray d) {
        int[] counts = new int[10];
        for (int i = 0; i < d.size(); i++) {
            counts[d.label(i)]++;
        }
        return counts;
    }

    private static int pixelSum(ImageArray d, int i) {
        int sum = 0;
        int per = d.shape().size();
        for (int k = i * per; k < (i + 1) * per; k++) {
            sum += d.pixels()[k] & 0xff;
        }
        return sum;
    }
}
