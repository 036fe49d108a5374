package org.sparkcnn.dl4jspark.bench;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** results.csv of two engines' results: one row each, read back by column name with commons-csv. */
class BenchSummaryTest {
    @TempDir
    Path dir;

    @Test
    void writesOneRowPerEngineWithRatios() throws IOException {
        Files.createDirectories(dir.resolve("raw"));
        new BenchResult("native-1", "lenet", 1, 0, 1, 6400, 2.0, 0.95, 1.5, 512, 0.1, 0, Double.NaN)
                .write(dir.resolve("raw/native-1.properties"));
        new BenchResult("dl4j", "lenet", 1, 0, 1, 6400, 8.0, 0.94, Double.NaN, 700, 0, 0, Double.NaN)
                .write(dir.resolve("raw/dl4j.properties"));

        BenchSummary.write(dir);

        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
        try (Reader in = Files.newBufferedReader(dir.resolve("results.csv"));
             CSVParser csv = format.parse(in)) {
            List<CSVRecord> rows = csv.getRecords();
            assertEquals(List.of("native-1", "dl4j"), rows.stream().map(r -> r.get("engine")).toList());
            assertEquals("3200.00", rows.get(0).get("images_per_second"));
            assertEquals("1.000", rows.get(0).get("ratio_to_native-1"));
            assertEquals("4.000", rows.get(0).get("ratio_to_dl4j"));
            assertEquals("0.250", rows.get(1).get("ratio_to_native-1"));
            assertEquals("n/a", rows.get(1).get("seconds_to_target"));
            assertEquals(csv.getHeaderNames().size(), rows.get(1).size());
        }
    }
}
