package org.sparkcnn.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.sparkcnn.core.data.IdxFiles.SAMPLE;
import static org.sparkcnn.core.data.IdxFiles.sample;

/** MnistDataset on the bundled sample: 8,000 training and 1,000 test digits. */
class MnistDatasetTest {

    @Test
    void loadsTrainAndTestWithTheirLabelHistograms() throws IOException {
        MnistDataset train = MnistDataset.load(SAMPLE, true);
        MnistDataset test = MnistDataset.load(SAMPLE, false);
        assertEquals(8000, train.size());
        assertEquals(1000, test.size());
        assertEquals(28, train.rows());
        assertEquals(28, test.cols());
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
            for (String name : MnistDataset.fileNames(train)) {
                Files.write(dir.resolve(name), sample(name));
            }
            MnistDataset gz = MnistDataset.load(SAMPLE, train);
            MnistDataset plain = MnistDataset.load(dir, train);
            assertArrayEquals(gz.pixels(), plain.pixels());
            assertArrayEquals(gz.labels(), plain.labels());
        }
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        Path images = SAMPLE.resolve("t10k-images-idx3-ubyte.gz");
        Path labels = SAMPLE.resolve("train-labels-idx1-ubyte.gz");
        try (InputStream i = Files.newInputStream(images); InputStream l = Files.newInputStream(labels)) {
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistDataset.read(
                    i, images.toString(), Files.size(images), l, labels.toString(), Files.size(labels)));
            assertEquals(images + ": holds 1000 images but " + labels + " holds 8000 labels", e.getMessage());
        }
    }

    @Test
    void missingFileOrDirectoryNamesThePathAndTheExpectedFiles(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), sample("train-images-idx3-ubyte"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MnistDataset.load(dir, true));
        assertEquals(dir.resolve("train-labels-idx1-ubyte") + "[.gz]: missing; expected"
                + " train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]", e.getMessage());
        Path nowhere = dir.resolve("nowhere");
        e = assertThrows(NoSuchFileException.class, () -> MnistDataset.load(nowhere, false));
        assertEquals(nowhere + ": no such directory; expected it to hold"
                + " t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]", e.getMessage());
    }

    @Test
    void fillBatchWritesScaledPixelsAndOneHotLabels() throws IOException {
        MnistDataset test = MnistDataset.load(SAMPLE, false);
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
        MnistDataset test = MnistDataset.load(SAMPLE, false).limit(10);
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
        MnistDataset test = MnistDataset.load(SAMPLE, false);
        assertSame(test, test.limit(1000));
        MnistDataset first = test.limit(10);
        assertEquals(10, first.size());
        assertEquals(7840, first.pixels().length);
        MnistDataset picked = test.select(new int[] {999, 0, 999});
        assertEquals(3, picked.size());
        assertEquals(test.label(999), picked.label(0));
        assertEquals(test.label(0), picked.label(1));
        assertEquals(pixelSum(test, 999), pixelSum(picked, 2));
        assertEquals(pixelSum(test, 0), pixelSum(picked, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> test.select(new int[] {1000}));
    }

    @Test
    void constructorChecksLengthsAndLabels() {
        assertThrows(IllegalArgumentException.class, () -> new MnistDataset(new byte[7], new byte[2], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new MnistDataset(new byte[4], new byte[] {10}, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new MnistDataset(new byte[0], new byte[0], 0, 2));
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        MnistDataset first = MnistDataset.load(SAMPLE, false).limit(5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(first);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            MnistDataset copy = (MnistDataset) in.readObject();
            assertArrayEquals(first.pixels(), copy.pixels());
            assertArrayEquals(first.labels(), copy.labels());
            assertEquals(28, copy.rows());
            assertEquals(28, copy.cols());
        }
    }

    private static int[] histogram(MnistDataset d) {
        int[] counts = new int[10];
        for (int i = 0; i < d.size(); i++) {
            counts[d.label(i)]++;
        }
        return counts;
    }

    private static int pixelSum(MnistDataset d, int i) {
        int sum = 0;
        int per = d.rows() * d.cols();
        for (int k = i * per; k < (i + 1) * per; k++) {
            sum += d.pixels()[k] & 0xff;
        }
        return sum;
    }
}
