package org.sparkcnn.spark.data;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.core.Shape;
import org.sparkcnn.spark.LocalSpark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gzipped training set is decompressed once per run: its read stays on the executors' disks from the first
 * placement to the run's last reshuffle, and every epoch's shards are exactly those a fresh read of the file
 * places, also when the kept copy is lost (read again from the file). A plain file, or a run that reshuffles once,
 * keeps nothing.
 */
class TrainingDataTest {
    static final Shape SHAPE = new Shape(1, 6, 6);
    static final int N = 101;
    static final long SEED = 5;

    static JavaSparkContext sc;
    static IdxSource gzipped;
    static IdxSource plain;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        sc = LocalSpark.start("local[2]");
        Path gz = Files.createDirectory(dir.resolve("gz"));
        Path raw = Files.createDirectory(dir.resolve("plain"));
        for (Path d : List.of(gz, raw)) {
            ShardContents.writeIdx(d, ShardContents.random(N, SHAPE, 10, 11), true, d == gz);
        }
        gzipped = IdxSource.open(gz.toString(), true, 0);
        plain = IdxSource.open(raw.toString(), true, 0);
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    @Test
    void aGzippedSetIsReadOnceAndEveryEpochPlacesAsAFreshRead() {
        assertTrue(gzipped.decodesOnRead());
        int epochs = 4;
        try (TrainingData train = new TrainingData(sc, gzipped, 3, 10, SEED, 2, epochs)) {
            for (int e = 0; e < epochs; e++) {
                Shards shards = train.shardsFor(e);
                int g = train.generation(e);
                ShardContents expected = ShardContents.place(sc, gzipped, 3, 10, Layout.shuffled(N, SEED, g));
                assertTrue(ShardContents.of(shards).sameAs(expected), "epoch " + e + ", generation " + g);
                // generations 0 and 1: kept until generation 1, the last, is placed
                assertEquals(g < 1 ? List.of(StorageLevel.DISK_ONLY()) : List.of(), keptReads(),
                        "after epoch " + e);
                if (e == 0) {                              // as if the executor that held it were lost
                    for (JavaRDD<?> kept : keptRdds()) {
                        SparkEnv.get().blockManager().master().removeRdd(kept.id(), true);
                    }
                }
            }
        }
        assertEquals(List.of(), keptReads());
    }

    @Test
    void aPlainSetOrASingleReshuffleKeepsNothing() {
        assertFalse(plain.decodesOnRead());
        try (TrainingData train = new TrainingData(sc, plain, 2, 10, SEED, 1, 3)) {
            train.shardsFor(0);
            assertEquals(List.of(), keptReads());
        }
        try (TrainingData train = new TrainingData(sc, gzipped, 2, 10, SEED, 1, 1)) {
            train.shardsFor(0);
            assertEquals(List.of(), keptReads(), "one epoch");
        }
        try (TrainingData train = new TrainingData(sc, gzipped, 2, 10, SEED, 0, 3)) {
            train.shardsFor(0);
            assertEquals(List.of(), keptReads(), "never reshuffled");
        }
        try (TrainingData train = new TrainingData(sc, gzipped, 2, 10, SEED, 1, 3)) {
            train.shardsFor(0);
            assertEquals(List.of(StorageLevel.DISK_ONLY()), keptReads(), "three reshuffles");
        }
        assertEquals(List.of(), keptReads(), "closed");
    }

    /** The storage levels of the persisted RDDs that are a kept read of the source. */
    private static List<StorageLevel> keptReads() {
        return keptRdds().stream().map(JavaRDD::getStorageLevel).toList();
    }

    private static List<JavaRDD<?>> keptRdds() {
        return sc.getPersistentRDDs().values().stream().filter(r -> r.name() != null && r.name().endsWith(", as read"))
                .<JavaRDD<?>>map(r -> r).toList();
    }
}
