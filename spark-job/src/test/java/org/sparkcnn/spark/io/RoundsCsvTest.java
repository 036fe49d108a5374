package org.sparkcnn.spark.io;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.RoundStats;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rounds.csv written and read back through {@link RoundsCsv}, including files of older column sets. */
class RoundsCsvTest {
    @TempDir
    Path dir;

    private final Storage storage = new Storage(new Configuration());

    /** Values at the file's precision (loss 6 decimals, seconds 4), so the round trip is exact. */
    private static final List<RoundStats> ROUNDS = List.of(
            new RoundStats(0, 0, 6000, 2.302585, 1.25, 0.5, 1.75, 0.125, 0),
            new RoundStats(1, 0, 6000, 0.693147, 1.0, 0.25, 1.25, 0.0625, 123_456_789_012L),
            new RoundStats(2, 1, 5999, 0.1, 0.9999, 0.0001, 1.0, 0, 42));

    @Test
    void roundTripsEveryField() throws IOException {
        String file = dir.resolve("run/rounds.csv").toString();
        RoundsCsv.write(storage, file, ROUNDS);

        assertEquals(ROUNDS, RoundsCsv.read(storage, file, Integer.MAX_VALUE));
        assertEquals(ROUNDS.subList(0, 2), RoundsCsv.read(storage, file, 2), "rows before round 2 (for --resume)");
        List<String> lines = Files.readAllLines(Path.of(file));
        assertEquals(String.join(",", RoundsCsv.COLUMNS), lines.get(0));
        assertEquals("1,0,6000,0.693147,1.0000,0.2500,1.2500,4800.0,0.0625,123456789012", lines.get(2));
    }

    @Test
    void noFileIsNoRounds() throws IOException {
        assertEquals(List.of(), RoundsCsv.read(storage, dir.resolve("absent.csv").toString(), 10));
    }

    @Test
    void readsFilesWrittenBeforeTheAggregationColumns() throws IOException {
        String legacy = """
                round,epoch,examples,train_loss,compute_seconds,overhead_seconds,wall_seconds,images_per_second
                0,0,100,1.500000,0.5000,0.3000,0.8000,125.0

                1,0,100,1.250000,0.5000,0.3000,0.8000,125.0
                """;
        List<RoundStats> rows = RoundsCsv.parse(new StringReader(legacy), "legacy.csv");
        assertEquals(List.of(new RoundStats(0, 0, 100, 1.5, 0.5, 0.3, 0.8, 0, 0),
                new RoundStats(1, 0, 100, 1.25, 0.5, 0.3, 0.8, 0, 0)), rows);
    }

    @Test
    void namesTheFileAndTheProblem() {
        IOException noColumn = assertThrows(IOException.class, () -> RoundsCsv.parse(
                new StringReader("round,epoch,examples,train_loss\n0,0,1,1.0\n"), "short.csv"));
        assertTrue(noColumn.getMessage().contains("short.csv: no column compute_seconds"), noColumn.getMessage());
        IOException notANumber = assertThrows(IOException.class, () -> RoundsCsv.parse(new StringReader(
                String.join(",", RoundsCsv.COLUMNS) + "\n0,0,x,1,1,1,1,1,0,0\n"), "bad.csv"));
        assertTrue(notANumber.getMessage().startsWith("bad.csv line 2"), notANumber.getMessage());
    }
}
