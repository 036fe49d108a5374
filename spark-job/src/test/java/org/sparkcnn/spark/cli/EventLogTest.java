package org.sparkcnn.spark.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.io.CompressionCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training with Spark's event log on (the history server's input, on by default on most managed clusters). Spark
 * writes it with Jackson; mixed jackson-core/jackson-databind versions on the class path made this die with
 * NoClassDefFoundError StreamReadConstraints, so the test also guards the Jackson pins of both Spark lines.
 */
public class EventLogTest {

    @Test
    void trainsWithTheEventLogOnAndTheLogIsComplete(@TempDir Path dir) throws Exception {
        Path events = Files.createDirectories(dir.resolve("events"));
        int code = Main.run("train", "--model", "conv5x5x4,maxpool2,softmax10", "--epochs", "1", "--train-limit",
                "600", "--test-limit", "200", "--workers", "2", "--progress", "none", "--out",
                dir.resolve("run").toString(), "--conf", "spark.eventLog.enabled=true",
                "--conf", "spark.eventLog.dir=" + events.toUri());
        assertEquals(0, code);
        assertTrue(Files.size(dir.resolve("run/model.scnn")) > 0);
        String text = eventLogText(events);
        assertTrue(text.contains("\"Event\":\"SparkListenerJobEnd\""), "no job in the event log");
        assertTrue(text.contains("\"Event\":\"SparkListenerApplicationEnd\""), "no application end in the event log");
    }

    /**
     * The one application's event log in {@code events}, finished: a single file (Spark 3.5) or a directory of
     * rolled files (Spark 4 rolls by default: eventlog_v2_APP/events_N_APP plus an appstatus marker that loses its
     * .inprogress suffix when the application ends).
     */
    public static String eventLogText(Path events) throws IOException {
        List<Path> logs = list(events);
        assertEquals(1, logs.size(), "event logs: " + logs);
        Path log = logs.get(0);
        assertTrue(!log.getFileName().toString().endsWith(".inprogress"), "event log not finished: " + log);
        if (!Files.isDirectory(log)) {
            return read(log);
        }
        StringBuilder text = new StringBuilder();
        for (Path part : list(log)) {
            assertTrue(!part.getFileName().toString().endsWith(".inprogress"), "event log not finished: " + part);
            if (part.getFileName().toString().startsWith("events_")) {
                text.append(read(part));
            }
        }
        return text.toString();
    }

    /** A log file's text; Spark 4 compresses event logs by default (the codec's name is the file's suffix). */
    private static String read(Path file) throws IOException {
        String name = file.getFileName().toString();
        String codec = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        if (!List.of("zstd", "lz4", "lzf", "snappy").contains(codec)) {
            return Files.readString(file);
        }
        try (InputStream in = CompressionCodec.createCodec(new SparkConf(), codec)
                .compressedInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }
}
