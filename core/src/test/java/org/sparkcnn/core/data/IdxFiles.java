package org.sparkcnn.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Test helpers: the bundled MNIST sample and byte-level edits of IDX files. */
final class IdxFiles {
    static final Path SAMPLE = Path.of("../data/mnist-sample");

    private IdxFiles() {
    }

    /** The decompressed bytes of a sample file, e.g. {@code "t10k-labels-idx1-ubyte"}. */
    static byte[] sample(String name) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(SAMPLE.resolve(name + ".gz")))) {
            return in.readAllBytes();
        }
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    /** An IDX header (magic then sizes, big-endian) followed by {@code dataBytes} zero bytes. */
    static byte[] idx(int magic, int[] dims, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 * (dims.length + 1) + dataBytes);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    /** A copy of {@code bytes} with the big-endian int at {@code offset} replaced. */
    static byte[] withInt(byte[] bytes, int offset, int value) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).putInt(offset, value);
        return copy;
    }
}
