package org.sparkcnn.spark.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes through the Hadoop API on the local file system (file://, checksummed and raw) replace the file without a
 * moment at which it is missing or partial, and leave no temporary or stale checksum file.
 */
class StorageTest {
    @TempDir
    java.nio.file.Path tmp;

    private static Configuration checksummed() {
        Configuration c = new Configuration(false);
        c.set("fs.file.impl", LocalFileSystem.class.getName());
        c.setBoolean("fs.file.impl.disable.cache", true);
        return c;
    }

    private static Configuration raw() {
        Configuration c = new Configuration(false);
        c.set("fs.file.impl", RawLocalFileSystem.class.getName());
        c.setBoolean("fs.file.impl.disable.cache", true);
        return c;
    }

    /** Content {@code i}: 64 KiB of one byte, so that a partial or mixed read shows. */
    private static byte[] content(int i) {
        byte[] b = new byte[64 * 1024];
        java.util.Arrays.fill(b, (byte) i);
        return b;
    }

    /** Rewrites the file 300 times while another thread reads it; every read finds one whole version. */
    private void replacedWithoutAMissingOrPartialFile(Configuration conf) throws Exception {
        Storage storage = new Storage(conf);
        String uri = tmp.resolve("out").resolve("model.scnn").toUri().toString();
        assertTrue(uri.startsWith("file:/"), uri);
        storage.write(uri, content(0));
        AtomicBoolean done = new AtomicBoolean();
        List<String> problems = new ArrayList<>();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    byte[] b = storage.read(uri);
                    if (b.length != 64 * 1024 || b[0] != b[b.length - 1]) {
                        problems.add("partial: " + b.length + " bytes");
                    }
                } catch (IOException e) {
                    problems.add(e.toString());
                }
            }
        });
        reader.start();
        for (int i = 1; i <= 300; i++) {
            storage.write(uri, content(i));
        }
        done.set(true);
        reader.join();
        assertEquals(List.of(), problems.stream().distinct().limit(3).toList());
        assertArrayEquals(content(300), storage.read(uri));
        assertEquals(List.of("model.scnn"), storage.list(tmp.resolve("out").toUri().toString()),
                "no temporary or checksum file left");
    }

    @Test
    void fileUrisOnTheChecksummedLocalFileSystem() throws Exception {
        replacedWithoutAMissingOrPartialFile(checksummed());
    }

    @Test
    void fileUrisOnTheRawLocalFileSystem() throws Exception {
        replacedWithoutAMissingOrPartialFile(raw());
    }

    @Test
    void aStaleChecksumFileIsRemovedSoHadoopStillReadsTheFile() throws IOException {
        Configuration conf = checksummed();
        Path p = new Path(tmp.resolve("m.bin").toUri());
        FileSystem fs = p.getFileSystem(conf);
        try (OutputStream out = fs.create(p, true)) {                   // an older write, with its .m.bin.crc
            out.write("old".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(Files.exists(tmp.resolve(".m.bin.crc")));
        String uri = tmp.resolve("m.bin").toUri().toString();            // file:///…
        new Storage(conf).write(uri, "new content".getBytes(StandardCharsets.UTF_8));
        assertFalse(Files.exists(tmp.resolve(".m.bin.crc")));
        try (var in = fs.open(p)) {
            assertEquals("new content", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
