package org.sparkcnn.spark.api;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.TrainingState;
import org.sparkcnn.spark.io.Storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** --keep-checkpoints: the newest N checkpoints stay, older ones go; 0 keeps all; resume reads the newest. */
class RunOutputsTest {
    @TempDir
    Path tmp;

    static TrainingState at(int round) {
        return new TrainingState(0, round, round, round, new float[]{round}, new float[][]{{0}});
    }

    @Test
    void onlyTheNewestCheckpointsAreKept() throws IOException {
        RunOutputs two = new RunOutputs(new Storage(new Configuration()), tmp.resolve("two").toString(), 2);
        RunOutputs all = new RunOutputs(new Storage(new Configuration()), tmp.resolve("all").toString(), 0);
        for (int r = 1; r <= 12; r++) {
            two.checkpoint("{}", at(r), List.of(), "{}");
            all.checkpoint("{}", at(r), List.of(), "{}");
        }
        assertEquals(List.of("checkpoint-000000011.bin", "checkpoint-000000012.bin"), two.checkpointNames());
        assertEquals(12, all.checkpointNames().size());
        assertEquals(12, two.checkpoint(two.latestCheckpointFile()).state().globalRound());
    }
}
