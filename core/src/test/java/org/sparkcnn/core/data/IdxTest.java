package org.sparkcnn.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkcnn.core.data.IdxFiles.gzip;
import static org.sparkcnn.core.data.IdxFiles.idx;
import static org.sparkcnn.core.data.IdxFiles.sample;
import static org.sparkcnn.core.data.IdxFiles.withInt;

/** The IDX reader on the real MNIST sample and on one corruption of it per fault. */
class IdxTest {
    private static final String LABELS = "t10k-labels-idx1-ubyte";
    private static final String IMAGES = "t10k-images-idx3-ubyte";

    @Test
    void plainAndGzipBytesReadIdentically() throws IOException {
        byte[] plain = sample(IMAGES);
        Idx.Images fromPlain = Idx.readImages(new ByteArrayInputStream(plain), IMAGES, plain.length);
        byte[] gz = gzip(plain);
        Idx.Images fromGzip = Idx.readImages(new ByteArrayInputStream(gz), IMAGES + ".gz", gz.length);
        assertEquals(1000, fromPlain.count());
        assertEquals(new org.sparkcnn.core.Shape(1, 28, 28), fromPlain.shape());
        assertArrayEquals(Arrays.copyOfRange(plain, 16, plain.length), fromPlain.pixels());
        assertArrayEquals(fromPlain.pixels(), fromGzip.pixels());
    }

    @Test
    void badMagicIsRefused() throws IOException {
        byte[] bad = gzip(withInt(sample(LABELS), 0, 0x12345678));
        assertFault("t10k-labels-idx1-ubyte.gz: bad magic number 305419896, expected 2049 for a labels file",
                () -> Idx.readLabels(new ByteArrayInputStream(bad), LABELS + ".gz", -1));
    }

    @Test
    void wrongDimensionCountIsRefused() throws IOException {
        byte[] labels = sample(LABELS);
        assertFault(LABELS + ": magic number 2049 declares 1 dimensions, an images file has 3 (magic 2051) or 4 "
                + "(magic 2052)",
                () -> Idx.readImages(new ByteArrayInputStream(labels), LABELS, labels.length));
        byte[] fiveD = withInt(sample(IMAGES), 0, 2053);
        assertFault(IMAGES + ": magic number 2053 declares 5 dimensions, an images file has 3 (magic 2051) or 4 "
                + "(magic 2052)", () -> Idx.readImages(new ByteArrayInputStream(fiveD), IMAGES, -1));
    }

    @Test
    void nonPositiveImageSizeIsRefused() throws IOException {
        byte[] zeroRows = idx(Idx.IMAGES_MAGIC, new int[] {5, 0, 28}, 0);
        assertFault("zero.idx: image size 0x28 is not positive",
                () -> Idx.readImages(new ByteArrayInputStream(zeroRows), "zero.idx", zeroRows.length));
        byte[] negative = idx(Idx.IMAGES_MAGIC, new int[] {5, -28, 28}, 0);
        assertFault("neg.idx: dimension 1 is negative: -28",
                () -> Idx.readImages(new ByteArrayInputStream(negative), "neg.idx", negative.length));
    }

    @Test
    void labelsAreUnsignedBytesOfAnyValue() throws IOException {
        // the number of classes comes from the model: the reader takes any byte and the consumer checks it
        byte[] labels = sample("train-labels-idx1-ubyte");
        labels[8 + 5] = (byte) 200;
        byte[] gz = gzip(labels);
        byte[] read = Idx.readLabels(new ByteArrayInputStream(gz), "train-labels-idx1-ubyte.gz", gz.length);
        assertEquals(200, read[5] & 0xff);
    }

    @Test
    void headerAloneGivesRecordsAndOffsets() throws IOException {
        byte[] images = sample(IMAGES);
        Idx.Header h = Idx.header(new ByteArrayInputStream(images), IMAGES, Idx.Kind.IMAGES, images.length);
        assertEquals(1000, h.count());
        assertEquals(784, h.recordBytes());
        assertEquals(16, h.dataOffset());
        assertEquals(new org.sparkcnn.core.Shape(1, 28, 28), h.imageShape());
        assertFault(IMAGES + ": 1 trailing bytes after the 784016 the header implies",
                () -> Idx.header(new ByteArrayInputStream(images), IMAGES, Idx.Kind.IMAGES, images.length + 1));
        byte[] huge = idx(Idx.IMAGES4_MAGIC, new int[] {Integer.MAX_VALUE, 3, 224, 224}, 0);
        Idx.Header big = Idx.header(new ByteArrayInputStream(huge), "big", Idx.Kind.IMAGES, -1);
        assertEquals(3L * 224 * 224, big.recordBytes());     // beyond one array: fine for range reads
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        byte[] cut = Arrays.copyOf(sample(IMAGES), 16 + 784_000 - 100);
        assertFault(IMAGES + ": truncated: the header implies 784016 bytes, the file has 783916",
                () -> Idx.readImages(new ByteArrayInputStream(cut), IMAGES, cut.length));
        assertFault(IMAGES + ": truncated: 783900 of the 784000 data bytes the header implies",
                () -> Idx.readImages(new ByteArrayInputStream(cut), IMAGES, -1));
        byte[] gz = gzip(cut);
        assertFault(IMAGES + ".gz: truncated: 783900 of the 784000 data bytes the header implies",
                () -> Idx.readImages(new ByteArrayInputStream(gz), IMAGES + ".gz", gz.length));
        byte[] header = Arrays.copyOf(sample(LABELS), 6);
        assertFault(LABELS + ": truncated header, shorter than 8 bytes",
                () -> Idx.readLabels(new ByteArrayInputStream(header), LABELS, header.length));
    }

    @Test
    void truncatedGzipStreamIsRefused() throws IOException {
        byte[] gz = gzip(sample(LABELS));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> Idx.readLabels(new ByteArrayInputStream(cut), LABELS + ".gz", cut.length));
        assertTrue(e.getMessage().startsWith(LABELS + ".gz: truncated"), e.getMessage());
    }

    @Test
    void trailingBytesAreRefused() throws IOException {
        byte[] longer = Arrays.copyOf(sample(LABELS), 1008 + 3);
        assertFault(LABELS + ": 3 trailing bytes after the 1008 the header implies",
                () -> Idx.readLabels(new ByteArrayInputStream(longer), LABELS, longer.length));
        assertFault(LABELS + ": trailing bytes after the 1000 data bytes the header implies",
                () -> Idx.readLabels(new ByteArrayInputStream(longer), LABELS, -1));
        byte[] gz = gzip(longer);
        assertFault(LABELS + ".gz: trailing bytes after the 1000 data bytes the header implies",
                () -> Idx.readLabels(new ByteArrayInputStream(gz), LABELS + ".gz", gz.length));
    }

    @Test
    void absurdHeaderIsRefusedBeforeAllocating() {
        byte[] images = idx(Idx.IMAGES_MAGIC, new int[] {Integer.MAX_VALUE, 28, 28}, 784);
        byte[] labels = idx(Idx.LABELS_MAGIC, new int[] {Integer.MAX_VALUE}, 10);
        long allocated = allocatedBytes(() -> {
            assertFault("huge-images: header sizes [2147483647, 28, 28] imply more data bytes than the 2147483639"
                    + " an array can hold",
                    () -> Idx.readImages(new ByteArrayInputStream(images), "huge-images", images.length));
            assertFault("huge-images.gz: header sizes [2147483647, 28, 28] imply more data bytes than the"
                    + " 2147483639 an array can hold",
                    () -> Idx.readImages(new ByteArrayInputStream(gzip(images)), "huge-images.gz", -1));
            assertFault("huge-labels: header sizes [2147483647] imply more data bytes than the 2147483639"
                    + " an array can hold",
                    () -> Idx.readLabels(new ByteArrayInputStream(labels), "huge-labels", -1));
        });
        assertTrue(allocated < 8 << 20, "allocated " + allocated + " bytes");
    }

    @Test
    void lyingGzipHeaderCostsOnlyTheDataThatArrives() throws IOException {
        byte[] gz = gzip(idx(Idx.IMAGES_MAGIC, new int[] {2_000_000, 28, 28}, 1000));
        long allocated = allocatedBytes(() -> assertFault(
                "lie.gz: truncated: 1000 of the 1568000000 data bytes the header implies",
                () -> Idx.readImages(new ByteArrayInputStream(gz), "lie.gz", gz.length)));
        assertTrue(allocated < 8 << 20, "allocated " + allocated + " bytes");
    }

    /** Bytes allocated by this thread while {@code body} runs, which must finish within two seconds. */
    private static long allocatedBytes(Runnable body) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        assertTimeout(Duration.ofSeconds(2), body::run);
        return threads.getThreadAllocatedBytes(id) - before;
    }

    static void assertFault(String message, Executable read) {
        IdxFormatException e = assertThrows(IdxFormatException.class, read);
        assertEquals(message, e.getMessage());
    }
}
