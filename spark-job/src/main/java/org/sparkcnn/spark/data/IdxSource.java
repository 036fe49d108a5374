package org.sparkcnn.spark.data;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.Idx;
import org.sparkcnn.core.data.IdxFormatException;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.spark.io.Redaction;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The training or test part of an IDX directory: an images file (IDX3, or IDX4 for C channels) and a labels file,
 * each plain or gzipped. The driver reads the two headers only. Plain files are read by the executors in byte
 * ranges (fixed-length records), one range per shard; a gzipped file cannot be split, so one task streams it.
 */
public final class IdxSource implements ImageSource, Serializable {
    /** Bytes of images per chunk (a shard is a list of chunks, so no array caps its size). */
    static final long CHUNK_BYTES = 16L << 20;

    private final String images;
    private final String labels;
    private final boolean plain;
    private final Shape shape;
    private final long size;
    private final long imagesOffset;
    private final String name;

    private IdxSource(String images, String labels, boolean plain, Shape shape, long size, long imagesOffset,
                      String name) {
        this.images = images;
        this.labels = labels;
        this.plain = plain;
        this.shape = shape;
        this.size = size;
        this.imagesOffset = imagesOffset;
        this.name = name;
    }

    /**
     * The training ({@code train}) or test part of {@code dir} (a local path or Hadoop URI), limited to its first
     * {@code limit} examples when {@code limit > 0}. Reads the headers and checks them against the file lengths.
     */
    public static IdxSource open(String dir, boolean train, long limit) throws IOException {
        String root = HadoopFiles.qualify(dir);
        FileSystem fs = HadoopFiles.fileSystem(root);
        if (!fs.exists(HadoopFiles.path(root))) {
            throw new NoSuchFileException(dir, null, "no such directory; expected it to hold "
                    + ImageArray.expectedNames(train));
        }
        String[] names = ImageArray.fileNames(train);
        String images = find(fs, root, dir, train, names[0], names[1]);
        String labels = find(fs, root, dir, train, names[2]);
        Idx.Header ih = header(fs, images, Idx.Kind.IMAGES);
        Idx.Header lh = header(fs, labels, Idx.Kind.LABELS);
        if (ih.count() != lh.count()) {
            throw new IdxFormatException(images, "holds " + ih.count() + " images but " + labels + " holds "
                    + lh.count() + " labels");
        }
        boolean plain = !Idx.isGzipName(images) && !Idx.isGzipName(labels);
        long size = limit > 0 ? Math.min(limit, ih.count()) : ih.count();
        return new IdxSource(images, labels, plain, ih.imageShape(), size, ih.dataOffset(),
                "--data " + Redaction.uri(dir) + " (" + (train ? "training" : "test") + " set)");
    }

    private static String find(FileSystem fs, String root, String dir, boolean train, String... names)
            throws IOException {
        for (String n : names) {
            for (String candidate : new String[] {n, n + ".gz"}) {
                String location = root.endsWith("/") ? root + candidate : root + "/" + candidate;
                if (fs.isFile(HadoopFiles.path(location))) {
                    return location;
                }
            }
        }
        throw new NoSuchFileException((dir.endsWith("/") ? dir : dir + "/") + names[0] + "[.gz]", null,
                "missing; expected " + ImageArray.expectedNames(train));
    }

    /** The header of a file, checked against its length when it is plain (a gzipped length is not known). */
    private static Idx.Header header(FileSystem fs, String location, Idx.Kind kind) throws IOException {
        Path p = HadoopFiles.path(location);
        long length = Idx.isGzipName(location) ? -1 : fs.getFileStatus(p).getLen();
        try (InputStream in = Idx.decompressed(fs.open(p))) {
            return Idx.header(in, location, kind, length);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean aligned() {
        return plain;
    }

    @Override
    public boolean decodesOnRead() {
        return !plain;
    }

    @Override
    public JavaRDD<ExampleChunk> read(JavaSparkContext sc, int partitions, int classes) {
        if (!plain) {
            return sc.parallelize(List.of(0), 1).flatMap(new StreamAll(this, classes));
        }
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ids.add(p);
        }
        return sc.parallelize(ids, partitions).flatMap(new ReadRange(this, partitions, classes));
    }

    private int chunkExamples() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, CHUNK_BYTES / shape.size()));
    }

    /** Checks every label of a chunk read from row {@code firstRow} of the labels file. */
    private void checkLabels(byte[] l, long firstRow, int classes) {
        for (int j = 0; j < l.length; j++) {
            if ((l[j] & 0xff) >= classes) {
                throw new IdxFormatException(labels, "label " + (l[j] & 0xff) + " at row " + (firstRow + j)
                        + " is not below the model's " + classes + " classes (labels must be 0.." + (classes - 1)
                        + ")");
            }
        }
    }

    private static int[] indices(long from, int count) {
        int[] index = new int[count];
        for (int j = 0; j < count; j++) {
            index[j] = Math.toIntExact(from + j);
        }
        return index;
    }

    /** Executor side of a plain source: partition p's range, chunk by chunk, each chunk by two positioned reads. */
    static final class ReadRange implements FlatMapFunction<Integer, ExampleChunk> {
        private final IdxSource src;
        private final int partitions;
        private final int classes;

        ReadRange(IdxSource src, int partitions, int classes) {
            this.src = src;
            this.partitions = partitions;
            this.classes = classes;
        }

        @Override
        public Iterator<ExampleChunk> call(Integer p) throws IOException {
            long from = DataOrder.shardStart(src.size, partitions, p);
            long to = DataOrder.shardStart(src.size, partitions, p + 1);
            int per = src.chunkExamples();
            FileSystem fs = HadoopFiles.fileSystem(src.images);
            return new Iterator<>() {
                long next = from;

                @Override
                public boolean hasNext() {
                    return next < to;
                }

                @Override
                public ExampleChunk next() {
                    if (next >= to) {
                        throw new NoSuchElementException();
                    }
                    int count = (int) Math.min(per, to - next);
                    byte[] pixels = new byte[Math.multiplyExact(count, src.shape.size())];
                    byte[] l = new byte[count];
                    try {
                        readAt(fs, src.images, src.imagesOffset + next * src.shape.size(), pixels);
                        readAt(fs, src.labels, 8 + next, l);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    src.checkLabels(l, next, classes);
                    ExampleChunk c = new ExampleChunk(indices(next, count), new ImageArray(pixels, l, src.shape));
                    next += count;
                    return c;
                }
            };
        }

        private static void readAt(FileSystem fs, String location, long offset, byte[] into) throws IOException {
            try (FSDataInputStream in = fs.open(HadoopFiles.path(location))) {
                in.readFully(offset, into);
            } catch (java.io.EOFException e) {
                throw new IdxFormatException(location, "truncated: shorter than the " + (offset + into.length)
                        + " bytes its header implies");
            }
        }
    }

    /** Executor side of a gzipped source: one task streams both files, chunk by chunk, up to the size. */
    static final class StreamAll implements FlatMapFunction<Integer, ExampleChunk> {
        private final IdxSource src;
        private final int classes;

        StreamAll(IdxSource src, int classes) {
            this.src = src;
            this.classes = classes;
        }

        @Override
        public Iterator<ExampleChunk> call(Integer ignored) throws IOException {
            FileSystem fs = HadoopFiles.fileSystem(src.images);
            DataInputStream images = new DataInputStream(Idx.decompressed(fs.open(HadoopFiles.path(src.images))));
            DataInputStream labels = new DataInputStream(Idx.decompressed(fs.open(HadoopFiles.path(src.labels))));
            TaskContext ctx = TaskContext.get();
            if (ctx != null) {
                ctx.addTaskCompletionListener((TaskContext c) -> close(images, labels));
            }
            long imageCount = Idx.header(images, src.images, Idx.Kind.IMAGES, -1).count();
            long labelCount = Idx.header(labels, src.labels, Idx.Kind.LABELS, -1).count();
            int per = src.chunkExamples();
            return new Iterator<>() {
                long next;

                @Override
                public boolean hasNext() {
                    return next < src.size;
                }

                @Override
                public ExampleChunk next() {
                    if (next >= src.size) {
                        throw new NoSuchElementException();
                    }
                    int count = (int) Math.min(per, src.size - next);
                    byte[] pixels = new byte[Math.multiplyExact(count, src.shape.size())];
                    byte[] l = new byte[count];
                    readFully(images, src.images, pixels);
                    readFully(labels, src.labels, l);
                    src.checkLabels(l, next, classes);
                    ExampleChunk c = new ExampleChunk(indices(next, count), new ImageArray(pixels, l, src.shape));
                    next += count;
                    if (next >= src.size) {
                        // All of a file read: nothing may follow its last record (a limit reads only a prefix).
                        refuseTrailingBytes(images, src.images, next == imageCount);
                        refuseTrailingBytes(labels, src.labels, next == labelCount);
                        close(images, labels);
                    }
                    return c;
                }
            };
        }

        private static void refuseTrailingBytes(DataInputStream in, String location, boolean atLastRecord) {
            try {
                if (atLastRecord && in.read() >= 0) {
                    throw new IdxFormatException(location, "has bytes after its last record (the header's count "
                            + "is too small, or two files were concatenated)");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void readFully(DataInputStream in, String location, byte[] into) {
            try {
                in.readFully(into);
            } catch (java.io.EOFException e) {
                throw new IdxFormatException(location, "truncated: shorter than its header implies");
            } catch (java.util.zip.ZipException e) {
                throw new IdxFormatException(location, "corrupt gzip data (" + e.getMessage() + ")");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void close(InputStream... streams) {
            for (InputStream s : streams) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing a stream we only read: nothing is lost
                }
            }
        }
    }
}
