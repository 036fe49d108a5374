package org.sparkcnn.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Strict readers for the IDX files of MNIST (LeCun et al.): a big-endian int32 magic {@code 0x0000 08 dd}
 * (unsigned bytes, dd dimensions), dd big-endian int32 sizes, then the unsigned bytes in row-major order.
 * Input may be gzipped, recognised by its 0x1f 0x8b magic. Every fault is an {@link IdxFormatException}
 * naming the file; a header is checked against the array limit and the known file length before its data
 * is allocated, and gzipped data is read into a buffer that grows only as bytes arrive.
 */
public final class Idx {
    /** Magic of an images file: unsigned bytes, 3 dimensions (count, rows, cols). */
    public static final int IMAGES_MAGIC = 2051;
    /** Magic of a labels file: unsigned bytes, 1 dimension (count). */
    public static final int LABELS_MAGIC = 2049;
    /** The largest array the JVM reliably allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private static final int UNSIGNED_BYTE = 0x08;
    private static final int FIRST_CHUNK = 1 << 16;

    private Idx() {
    }

    /** The images of one IDX3 file: {@code count × rows × cols} unsigned bytes, image i at {@code i*rows*cols}. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
    }

    /**
     * Reads an images file (magic 2051, dimensions count, rows, cols with rows and cols positive).
     * {@code length} is the byte length of the stream, or -1 if unknown.
     */
    public static Images readImages(InputStream in, String name, long length) throws IOException {
        Payload p = read(in, name, length, 3, "an images file");
        int[] d = p.dims;
        if (d[1] < 1 || d[2] < 1) {
            throw new IdxFormatException(name, "image size " + d[1] + "x" + d[2] + " is not positive");
        }
        return new Images(d[0], d[1], d[2], p.data);
    }

    /** Reads a labels file (magic 2049, one dimension) whose every label is a digit 0-9. */
    public static byte[] readLabels(InputStream in, String name, long length) throws IOException {
        byte[] labels = read(in, name, length, 1, "a labels file").data;
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xff;
            if (label > 9) {
                throw new IdxFormatException(name, "label " + label + " at index " + i + " is not a digit 0-9");
            }
        }
        return labels;
    }

    private record Payload(int[] dims, byte[] data) {
    }

    private static Payload read(InputStream raw, String name, long length, int rank, String kind) throws IOException {
        try {
            BufferedInputStream buffered = new BufferedInputStream(raw, FIRST_CHUNK);
            buffered.mark(2);
            boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
            buffered.reset();
            InputStream in = gzip ? new GZIPInputStream(buffered, FIRST_CHUNK) : buffered;
            long knownLength = gzip ? -1 : length;
            int[] dims = header(new DataInputStream(in), name, rank, kind);
            int need = dataLength(dims, name, knownLength);
            return new Payload(dims, data(in, name, need, knownLength >= 0));
        } catch (ZipException e) {
            throw new IdxFormatException(name, "corrupt gzip data (" + e.getMessage() + ")");
        } catch (EOFException e) {
            throw new IdxFormatException(name, "truncated gzip stream");
        }
    }

    /** The {@code rank} sizes after a magic that must say unsigned bytes in {@code rank} dimensions. */
    private static int[] header(DataInputStream in, String name, int rank, String kind) throws IOException {
        int[] dims = new int[rank];
        try {
            int magic = in.readInt();
            int expected = (UNSIGNED_BYTE << 8) | rank;
            if (magic >>> 8 != UNSIGNED_BYTE) {
                throw new IdxFormatException(name, "bad magic number " + magic + ", expected " + expected
                        + " for " + kind);
            }
            if (magic != expected) {
                throw new IdxFormatException(name, "magic number " + magic + " declares " + (magic & 0xff)
                        + " dimensions, " + kind + " has " + rank + " (magic " + expected + ")");
            }
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new IdxFormatException(name, "dimension " + i + " is negative: " + dims[i]);
                }
            }
        } catch (EOFException e) {
            throw new IdxFormatException(name, "truncated header, shorter than " + 4 * (rank + 1) + " bytes");
        }
        return dims;
    }

    /** The data length the sizes imply, refused if no array can hold it or the known length disagrees. */
    private static int dataLength(int[] dims, String name, long knownLength) {
        long need = 1;
        for (int d : dims) {
            need *= d;
            if (need > MAX_ARRAY) {
                throw new IdxFormatException(name, "header sizes " + Arrays.toString(dims)
                        + " imply more data bytes than the " + MAX_ARRAY + " an array can hold");
            }
        }
        long implied = 4L * (dims.length + 1) + need;
        if (knownLength >= 0 && knownLength < implied) {
            throw new IdxFormatException(name, "truncated: the header implies " + implied + " bytes, the file has "
                    + knownLength);
        }
        if (knownLength > implied) {
            throw new IdxFormatException(name, (knownLength - implied) + " trailing bytes after the " + implied
                    + " the header implies");
        }
        return (int) need;
    }

    /**
     * Exactly {@code need} bytes followed by the end of the stream. Unless the length is already known to
     * match, the buffer starts small and doubles only when full, so a lying header costs no memory.
     */
    private static byte[] data(InputStream in, String name, int need, boolean lengthVerified) throws IOException {
        byte[] buf = new byte[lengthVerified ? need : Math.min(need, FIRST_CHUNK)];
        int filled = 0;
        while (filled < need) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(need, 2L * buf.length));
            }
            int n;
            try {
                n = in.read(buf, filled, buf.length - filled);
            } catch (EOFException e) {
                n = -1;
            }
            if (n < 0) {
                throw new IdxFormatException(name, "truncated: " + filled + " of the " + need
                        + " data bytes the header implies");
            }
            filled += n;
        }
        if (in.read() >= 0) {
            throw new IdxFormatException(name, "trailing bytes after the " + need + " data bytes the header implies");
        }
        return buf;
    }
}
