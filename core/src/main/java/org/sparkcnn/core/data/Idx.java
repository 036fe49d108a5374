package org.sparkcnn.core.data;

import org.sparkcnn.core.Shape;

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
 * Images files have 3 dimensions (count, rows, cols: one channel) or 4 (count, channels, rows, cols); labels
 * files have 1. Every example is a fixed-length record, so a plain file can be read by byte ranges
 * ({@link #header}, {@link Header#dataOffset}).
 * Input may be gzipped, recognised by its 0x1f 0x8b magic. Every fault is an {@link IdxFormatException}
 * naming the file; a header is checked against the array limit and the known file length before its data
 * is allocated, and gzipped data is read into a buffer that grows only as bytes arrive.
 */
public final class Idx {
    /** Magic of an images file: unsigned bytes, 3 dimensions (count, rows, cols). */
    public static final int IMAGES_MAGIC = 2051;
    /** Magic of a multi-channel images file: unsigned bytes, 4 dimensions (count, channels, rows, cols). */
    public static final int IMAGES4_MAGIC = 2052;
    /** Magic of a labels file: unsigned bytes, 1 dimension (count). */
    public static final int LABELS_MAGIC = 2049;
    /** The largest array the JVM reliably allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private static final int UNSIGNED_BYTE = 0x08;
    private static final int FIRST_CHUNK = 1 << 16;

    private Idx() {
    }

    /** The images of one IDX file: {@code count} images of {@code shape}, image i at {@code i*shape.size()}. */
    public record Images(int count, Shape shape, byte[] pixels) {
    }

    /**
     * The sizes of an IDX file: {@code dims[0]} records of {@code recordBytes()} bytes each, starting at
     * {@code dataOffset()}.
     */
    public record Header(int[] dims) {
        public int count() {
            return dims[0];
        }

        /** Bytes per record: the product of the sizes after the first (1 for a labels file). */
        public long recordBytes() {
            long b = 1;
            for (int i = 1; i < dims.length; i++) {
                b *= dims[i];
            }
            return b;
        }

        public long dataOffset() {
            return 4L * (dims.length + 1);
        }

        /** The image shape of an images header: 1×rows×cols for 3 dimensions, C×rows×cols for 4. */
        public Shape imageShape() {
            return dims.length == 4 ? new Shape(dims[1], dims[2], dims[3]) : new Shape(1, dims[1], dims[2]);
        }
    }

    /** What a file must be: images (3 or 4 dimensions, positive image sizes) or labels (1 dimension). */
    public enum Kind {
        IMAGES("an images file"), LABELS("a labels file");

        private final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /**
     * Reads an images file (magic 2051: count, rows, cols; or 2052: count, channels, rows, cols; every image size
     * positive). {@code length} is the byte length of the stream, or -1 if unknown.
     */
    public static Images readImages(InputStream in, String name, long length) throws IOException {
        Payload p = read(in, name, length, Kind.IMAGES);
        return new Images(p.header.count(), p.header.imageShape(), p.data);
    }

    /** Reads a labels file (magic 2049, one dimension): one unsigned byte per example. */
    public static byte[] readLabels(InputStream in, String name, long length) throws IOException {
        return read(in, name, length, Kind.LABELS).data;
    }

    /** {@code raw}, decompressed if it starts with the gzip magic; buffered either way. */
    public static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, FIRST_CHUNK);
        buffered.mark(2);
        boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
        buffered.reset();
        return gzip ? new GZIPInputStream(buffered, FIRST_CHUNK) : buffered;
    }

    /** Whether the file name says gzip ({@code .gz}). */
    public static boolean isGzipName(String name) {
        return name.endsWith(".gz");
    }

    /**
     * Reads and checks the header at the start of {@code in} (already decompressed) for a file of {@code kind};
     * {@code length} is the decompressed byte length if known, else -1, and must then match the header exactly.
     */
    public static Header header(InputStream in, String name, Kind kind, long length) throws IOException {
        Header h = new Header(header(new DataInputStream(in), name, kind));
        dataLength(h.dims(), name, length, Long.MAX_VALUE - 64);
        return h;
    }

    private record Payload(Header header, byte[] data) {
    }

    private static Payload read(InputStream raw, String name, long length, Kind kind) throws IOException {
        try {
            InputStream in = decompressed(raw);
            boolean gzip = in instanceof GZIPInputStream;
            long knownLength = gzip ? -1 : length;
            int[] dims = header(new DataInputStream(in), name, kind);
            int need = (int) dataLength(dims, name, knownLength, MAX_ARRAY);
            return new Payload(new Header(dims), data(in, name, need, knownLength >= 0));
        } catch (ZipException e) {
            throw new IdxFormatException(name, "corrupt gzip data (" + e.getMessage() + ")");
        } catch (EOFException e) {
            throw new IdxFormatException(name, "truncated gzip stream");
        }
    }

    /**
     * The sizes after a magic that must say unsigned bytes in a rank {@code kind} allows (images: 3 or 4, labels:
     * 1); an images file's image sizes must be positive.
     */
    private static int[] header(DataInputStream in, String name, Kind kind) throws IOException {
        int rank = kind == Kind.LABELS ? 1 : 3;
        int expected = kind == Kind.LABELS ? LABELS_MAGIC : IMAGES_MAGIC;
        int[] dims;
        try {
            int magic = in.readInt();
            if (magic >>> 8 != UNSIGNED_BYTE) {
                throw new IdxFormatException(name, "bad magic number " + magic + ", expected " + expected
                        + " for " + kind.description);
            }
            if (kind == Kind.IMAGES && magic == IMAGES4_MAGIC) {
                rank = 4;
            } else if (magic != expected) {
                throw new IdxFormatException(name, "magic number " + magic + " declares " + (magic & 0xff)
                        + " dimensions, " + kind.description + " has " + rank + " (magic " + expected + ")"
                        + (kind == Kind.IMAGES ? " or 4 (magic " + IMAGES4_MAGIC + ")" : ""));
            }
            dims = new int[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new IdxFormatException(name, "dimension " + i + " is negative: " + dims[i]);
                }
            }
        } catch (EOFException e) {
            throw new IdxFormatException(name, "truncated header, shorter than " + 4 * (rank + 1) + " bytes");
        }
        for (int i = 1; i < dims.length; i++) {
            if (dims[i] < 1) {
                StringBuilder size = new StringBuilder();
                for (int j = 1; j < dims.length; j++) {
                    size.append(j > 1 ? "x" : "").append(dims[j]);
                }
                throw new IdxFormatException(name, "image size " + size + " is not positive");
            }
        }
        return dims;
    }

    /**
     * The data length the sizes imply, refused if it exceeds {@code limit} (an array's limit when the data is read
     * into one array) or the known length disagrees.
     */
    private static long dataLength(int[] dims, String name, long knownLength, long limit) {
        long need = 1;
        for (int d : dims) {
            if (d != 0 && need > limit / d) {
                throw new IdxFormatException(name, "header sizes " + Arrays.toString(dims)
                        + " imply more data bytes than the " + limit + (limit == MAX_ARRAY ? " an array can hold"
                        : " a file can hold"));
            }
            need *= d;
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
        return need;
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
