package org.sparkcnn.tools.report;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.Aggregation;
import org.sparkcnn.spark.exchange.ExchangePrecision;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ScalingReport on synthetic run directories: the CSV rows it derives, and that every plot is a real PNG. */
class ScalingReportTest {
    private static final int PARAMS = 1000;

    @TempDir
    Path dir;

    /**
     * A run of 2 epochs × 4 rounds of 100 examples each at {@code ips} images/s; evaluations after rounds 2 and 6
     * with the given accuracies, final accuracy {@code last}. Every round: compute 0.5 s, overhead 0.3 s of
     * which aggregation 0.1 s.
     */
    private void run(int workers, int tau, String updater, double ips, double acc2, double acc6, double last,
                     boolean legacyRounds) throws IOException {
        run("w" + workers + "-t" + tau + "-b32", "local[" + workers + "]", workers, tau, updater, ips, acc2, acc6, last,
                legacyRounds);
    }

    /** The same, in {@code runs/name}, with the given Spark master. */
    private void run(String name, String master, int workers, int tau, String updater, double ips, double acc2,
                     double acc6, double last, boolean legacyRounds) throws IOException {
        Path run = dir.resolve("runs/" + name);
        Files.createDirectories(run);
        double seconds = 800 / ips;
        Files.writeString(run.resolve("metrics.json"), String.format(Locale.ROOT, """
                {"accuracy": %s, "loss": 0.5, "trainExamples": 800, "trainSeconds": %s, "imagesPerSecond": %s,
                 "rounds": 8, "engine": "native", "master": "%s", "parameters": %d,
                 "epochMetrics": [{"epoch": 1, "accuracy": %s, "loss": 1.0}],
                 "evaluations": [
                   {"round": 2, "epoch": 1, "examples": 200, "trainSeconds": 1.6, "accuracy": %s, "loss": 1.5},
                   {"round": 6, "epoch": 2, "examples": 600, "trainSeconds": 4.8, "accuracy": %s, "loss": 0.7}],
                 "configuration": {"workers": %d, "localSteps": %d, "batch": 32, "epochs": 2, "updater": "%s",
                   "averageUpdaterState": true, "trainExamples": 400}}
                """, last, seconds, ips, master, PARAMS, (acc2 + acc6) / 2, acc2, acc6, workers, tau, updater));
        StringBuilder csv = new StringBuilder(legacyRounds
                ? "round,epoch,examples,train_loss,compute_seconds,overhead_seconds,wall_seconds,images_per_second\n"
                : "round,epoch,examples,train_loss,compute_seconds,overhead_seconds,wall_seconds,images_per_second,"
                + "aggregate_seconds\n");
        for (int r = 0; r < 8; r++) {
            csv.append(String.format(Locale.ROOT, "%d,%d,100,1.0,0.5,0.3,0.8,125.0%s%n", r, r / 4,
                    legacyRounds ? "" : ",0.1"));
        }
        Files.writeString(run.resolve("rounds.csv"), csv);
    }

    @Test
    void writesOneCsvRowPerRunAndValidPngs() throws IOException {
        run(1, 1, "sgd", 100, 0.5, 0.8, 0.9, false);
        run(2, 1, "sgd", 150, 0.4, 0.7, 0.85, false);
        run(1, 5, "nesterov", 120, 0.6, 0.92, 0.95, false);
        run(4, 5, "nesterov", 180, 0.3, 0.6, 0.7, true);
        Files.createDirectories(dir.resolve("runs/w8-t5-b32"));   // a failed run: no metrics.json, skipped
        Files.writeString(dir.resolve("machine.txt"), "cpu: test (2 cores available)\n");

        ScalingReport.write(dir, 0.9, 2);

        List<String> lines = Files.readAllLines(dir.resolve("scaling.csv"));
        assertEquals(String.join(",", ScalingReport.CSV_COLUMNS), lines.get(0));
        assertEquals(5, lines.size(), "header and one row per finished run");
        // Sorted by τ, then workers. Speedup against the fewest workers with the same τ; bytes per round
        // 2 × N × floats × 4, where Nesterov's averaged velocity doubles the floats.
        assertEquals("1,1,32,native,local[1],100.0,1.000,1.000,8,0.8000,0.5000,0.2000,0.1000,8000,800,8.00,0.9000,"
                + "8.0,runs/w1-t1-b32", lines.get(1));
        assertEquals("2,1,32,native,local[2],150.0,1.500,0.750,8,0.8000,0.5000,0.2000,0.1000,16000,800,5.33,0.8500,,"
                + "runs/w2-t1-b32", lines.get(2));
        assertEquals("1,5,32,native,local[1],120.0,1.000,1.000,8,0.8000,0.5000,0.2000,0.1000,16000,800,6.67,0.9500,"
                + "4.8,runs/w1-t5-b32", lines.get(3));
        // A rounds.csv without aggregate_seconds reads as no aggregation: all overhead is scheduling+broadcast.
        assertEquals("4,5,32,native,local[4],180.0,1.500,0.375,8,0.8000,0.5000,0.3000,0.0000,64000,800,4.44,0.7000,,"
                + "runs/w4-t5-b32", lines.get(4));

        for (String png : List.of(ScalingCharts.SPEEDUP, ScalingCharts.ACCURACY_VS_EXAMPLES, ScalingCharts.ROUND_TIME,
                ScalingCharts.ACCURACY_VS_ROUNDS, ScalingCharts.PROJECTION)) {
            BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
            assertNotNull(image, png + " is not a readable image");
            assertTrue(image.getWidth() >= 400 && image.getHeight() >= 300, png + " is too small");
        }

        String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("![speedup and efficiency](speedup.png)"));
        assertTrue(report.contains("cpu: test (2 cores available)"));
        assertTrue(report.contains("time-share"), "4 workers on 2 cores must be called time-shared");
        assertTrue(report.contains("PROJECTION"));
    }

    /** Masters and run names with commas are quoted in scaling.csv and read back as one field each. */
    @Test
    void scalingCsvRoundTripsMastersWithCommas() throws IOException {
        run("w2-local", "local[2,4]", 2, 1, "sgd", 100, 0.5, 0.8, 0.9, false);
        run("w4-standalone,ha", "spark://a:7077,b:7077", 4, 1, "sgd", 150, 0.4, 0.7, 0.85, false);

        ScalingReport.write(dir, 0.9, 2);

        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
        try (Reader in = Files.newBufferedReader(dir.resolve("scaling.csv"));
             CSVParser csv = format.parse(in)) {
            assertEquals(ScalingReport.CSV_COLUMNS, csv.getHeaderNames());
            List<CSVRecord> rows = csv.getRecords();
            assertEquals(2, rows.size());
            for (CSVRecord r : rows) {
                assertEquals(ScalingReport.CSV_COLUMNS.size(), r.size());
            }
            assertEquals("local[2,4]", rows.get(0).get("master"));
            assertEquals("2", rows.get(0).get("workers"));
            assertEquals("runs/w2-local", rows.get(0).get("run"));
            assertEquals("spark://a:7077,b:7077", rows.get(1).get("master"));
            assertEquals("0.8500", rows.get(1).get("test_accuracy"));
            assertEquals("runs/w4-standalone,ha", rows.get(1).get("run"));
        }
        assertTrue(Files.readString(dir.resolve("scaling.csv")).contains(",\"spark://a:7077,b:7077\","));
    }

    @Test
    void projectsEpochTimeFromTheFittedModel() {
        CommunicationModel m = new CommunicationModel(0.01, 0.2, 1e-9);
        // 1000 examples on 4 workers: 250 each, ⌈250/32⌉ = 8 batches, τ=5 → 2 rounds.
        assertEquals(2, CommunicationModel.roundsPerEpoch(1000, 4, 5, 32));
        double free = m.epochSeconds(Aggregation.DRIVER, 1000, 4, 5, 32, 1000, ExchangePrecision.FP32,
                CommunicationModel.LINKS.get(0));
        assertEquals(250 * 0.01 + 2 * (0.2 + 4 * 1000 * 1e-9), free, 1e-12);
        double gigabit = m.epochSeconds(Aggregation.DRIVER, 1000, 4, 5, 32, 1000, ExchangePrecision.FP32,
                CommunicationModel.LINKS.get(2));
        assertEquals(free + 2 * (2.0 * 4 * 1000 * 4 / 1.25e8), gigabit, 1e-12);
        // executor path: one worker's share of the averaging, and 2 × (in and out) 2·f·4·(N−1)/N bytes per link
        double executors = m.epochSeconds(Aggregation.EXECUTORS, 1000, 4, 5, 32, 1000, ExchangePrecision.FP32,
                CommunicationModel.LINKS.get(2));
        assertEquals(250 * 0.01 + 2 * (0.2 + 1000 * 1e-9 + 2.0 * 6000 / 1.25e8), executors, 1e-12);
    }

    @Test
    void bytesPerRoundStayFlatInNOnTheExecutorPath() {
        long lenet = 862_160;                                         // P + Nesterov's S
        assertEquals(64 * (4 * lenet + 1_100), CommunicationModel.driverBytesPerRound(Aggregation.DRIVER, 64, lenet));
        assertEquals(64 * 1_100, CommunicationModel.driverBytesPerRound(Aggregation.EXECUTORS, 64, lenet));
        assertEquals(4 * lenet, CommunicationModel.executorBytesPerRound(Aggregation.DRIVER, 64, lenet,
                ExchangePrecision.FP32));
        assertEquals(2 * lenet * 4 * 63 / 64, CommunicationModel.executorBytesPerRound(Aggregation.EXECUTORS, 64,
                lenet, ExchangePrecision.FP32));
        assertEquals(2 * lenet * 4 / 2, CommunicationModel.executorBytesPerRound(Aggregation.EXECUTORS, 2, lenet,
                ExchangePrecision.FP32));
        assertEquals(2 * lenet * 2 / 2, CommunicationModel.executorBytesPerRound(Aggregation.EXECUTORS, 2, lenet,
                ExchangePrecision.BF16));
        assertTrue(CommunicationModel.executorBytesPerRound(Aggregation.EXECUTORS, 4096, lenet,
                ExchangePrecision.FP32) < 2 * lenet * 4, "O(f) whatever N is");
    }
}
