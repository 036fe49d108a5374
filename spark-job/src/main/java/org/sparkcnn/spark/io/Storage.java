package org.sparkcnn.spark.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Abortable;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.sparkcnn.core.data.ImageArray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads and writes job files on a local path or any Hadoop file-system URI (hdfs://, s3a://, file://). Every
 * write goes to a temporary name in the target directory and is renamed into place only when complete, so a
 * crash never leaves a half-written result, model or checkpoint.
 */
public final class Storage {
    /** A stream whose file appears only when it closes, and that can be abandoned instead (S3A). */
    static final String ABORTABLE_STREAM = "fs.capability.outputstream.abortable";
    private final Configuration hadoop;

    public Storage(Configuration hadoop) {
        this.hadoop = hadoop;
    }

    /** True for a URI with a scheme other than a plain local path. */
    static boolean isUri(String location) {
        return location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    }

    public static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /**
     * Writes {@code bytes} to {@code location} atomically (temporary file, then rename). A local file is also made
     * durable: the temporary file is flushed to disk before the rename and the directory after it, so a power loss
     * leaves the old file or the new one.
     */
    public void write(String location, byte[] bytes) throws IOException {
        if (!isUri(location)) {
            java.nio.file.Path target = java.nio.file.Path.of(location).toAbsolutePath();
            Files.createDirectories(target.getParent());
            java.nio.file.Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException e) {
                // some file systems cannot open or sync a directory; the rename itself has happened
            }
            return;
        }
        writeHadoop(new Path(location), bytes);
    }

    /**
     * A write through Hadoop's file system API, with no moment at which {@code target} is missing where the file
     * system allows it (docs/reliability.md, per file system):
     * <ul>
     *   <li>a store whose files appear only when their stream closes ({@code fs.capability.outputstream.abortable}:
     *       S3A) gets the file itself: the old object stays visible until the new one is complete, and a write that
     *       fails is aborted, not completed;</li>
     *   <li>the local file system (file://, checksummed or raw) writes a temporary file without a checksum file and
     *       renames it over the target: a POSIX rename, which replaces the target atomically; the target's old
     *       checksum file, which would no longer match, is deleted first;</li>
     *   <li>HDFS renames the temporary file with {@link Options.Rename#OVERWRITE} through {@link FileContext}: one
     *       atomic operation in the NameNode;</li>
     *   <li>any other file system deletes the target and then renames (its {@code rename} does not replace): a
     *       reader in between finds no file, but never a partial one.</li>
     * </ul>
     */
    private void writeHadoop(Path target, byte[] bytes) throws IOException {
        FileSystem fs = target.getFileSystem(hadoop);
        fs.mkdirs(target.getParent());
        if (fs.hasPathCapability(target, ABORTABLE_STREAM)) {
            OutputStream out = fs.create(target, true);
            try {
                out.write(bytes);
            } catch (IOException | RuntimeException e) {
                if (out instanceof Abortable a) {
                    a.abort();
                }
                throw e;
            }
            out.close();
            return;
        }
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try (OutputStream out = raw.create(tmp, true)) {
            out.write(bytes);
        }
        if (raw instanceof RawLocalFileSystem) {
            if (fs instanceof ChecksumFileSystem checksummed) {
                raw.delete(checksummed.getChecksumFile(target), false);
            }
            if (!raw.rename(tmp, target)) {
                throw new IOException(target + ": could not rename the temporary file into place");
            }
        } else if ("hdfs".equals(fs.getScheme())) {
            FileContext.getFileContext(target.toUri(), hadoop).rename(tmp, target, Options.Rename.OVERWRITE);
        } else {
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                throw new IOException(target + ": could not rename the temporary file into place");
            }
        }
    }

    /**
     * Creates the directory {@code location} (local or URI) whole or not at all: {@code fill} writes into a
     * temporary sibling {@code .NAME.tmp-RANDOM}, which is renamed to {@code location} when {@code fill} returns and
     * deleted when it throws. An existing {@code location} is refused ({@link FileAlreadyExistsException}).
     */
    public void writeDirectory(String location, IoConsumer<String> fill) throws IOException {
        Path target = isUri(location) ? new Path(location)
                : new Path(java.nio.file.Path.of(location).toAbsolutePath().normalize().toUri());
        FileSystem fs = target.getFileSystem(hadoop);
        if (fs.exists(target)) {
            throw new FileAlreadyExistsException(location, null, "exists; choose a new directory");
        }
        fs.mkdirs(target.getParent());
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        boolean done = false;
        try {
            fill.accept(tmp.toString());
            if (fs.exists(target) || !fs.rename(tmp, target)) {
                throw new IOException(location + ": could not rename the temporary directory " + tmp + " into place");
            }
            done = true;
        } finally {
            if (!done) {
                fs.delete(tmp, true);
            }
        }
    }

    public byte[] read(String location) throws IOException {
        try (InputStream in = open(location)) {
            return in.readAllBytes();
        }
    }

    public InputStream open(String location) throws IOException {
        if (!isUri(location)) {
            return Files.newInputStream(java.nio.file.Path.of(location));
        }
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem(hadoop);
        if (!fs.exists(p)) {
            throw new NoSuchFileException(location);
        }
        return fs.open(p);
    }

    public boolean exists(String location) throws IOException {
        if (!isUri(location)) {
            return Files.exists(java.nio.file.Path.of(location));
        }
        Path p = new Path(location);
        return p.getFileSystem(hadoop).exists(p);
    }

    /** Deletes the file {@code location}, if it exists. */
    public void delete(String location) throws IOException {
        if (!isUri(location)) {
            Files.deleteIfExists(java.nio.file.Path.of(location));
            return;
        }
        Path p = new Path(location);
        p.getFileSystem(hadoop).delete(p, false);
    }

    /** Names of the files directly in {@code dir} (empty if it does not exist). */
    public List<String> list(String dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (!isUri(dir)) {
            java.nio.file.Path d = java.nio.file.Path.of(dir);
            if (Files.isDirectory(d)) {
                try (var s = Files.list(d)) {
                    s.forEach(p -> names.add(p.getFileName().toString()));
                }
            }
            return names;
        }
        Path p = new Path(dir);
        FileSystem fs = p.getFileSystem(hadoop);
        if (fs.exists(p)) {
            for (FileStatus st : fs.listStatus(p)) {
                names.add(st.getPath().getName());
            }
        }
        return names;
    }

    /**
     * Loads the IDX training or test set from a directory (local or URI) into this JVM: the standard file names,
     * plain or gzipped. Only for one-JVM uses (the dl4j-spark A/B engine, the benchmark's peers); the native
     * engine's executors read their own shards ({@link org.sparkcnn.spark.data.IdxSource}).
     */
    public ImageArray loadImages(String dir, boolean train) throws IOException {
        if (!isUri(dir)) {
            return ImageArray.load(java.nio.file.Path.of(dir), train);
        }
        String[] names = ImageArray.fileNames(train);
        String images = exists(join(dir, names[0])) || exists(join(dir, names[0] + ".gz")) ? resolve(dir, names[0])
                : resolve(dir, names[1]);
        String labels = resolve(dir, names[2]);
        try (InputStream i = open(images); InputStream l = open(labels)) {
            return ImageArray.read(i, images, -1, l, labels, -1);
        }
    }

    private String resolve(String dir, String name) throws IOException {
        for (String candidate : new String[]{join(dir, name), join(dir, name + ".gz")}) {
            if (exists(candidate)) {
                return candidate;
            }
        }
        throw new NoSuchFileException(join(dir, name) + "[.gz]: missing");
    }

    static byte[] toBytes(IoConsumer<OutputStream> writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writer.accept(bytes);
        return bytes.toByteArray();
    }

    /** A consumer that may throw IOException. */
    @FunctionalInterface
    public interface IoConsumer<T> {
        void accept(T t) throws IOException;
    }

}
