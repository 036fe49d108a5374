package org.sparkcnn.spark.io;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.sparkcnn.spark.RoundStats;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * rounds.csv: one row per round of {@link RoundStats}, written and read with commons-csv. The file is rewritten
 * whole and atomically ({@link Storage#write}). It is read by column name, so a file written before
 * {@code aggregate_seconds} or {@code exchange_bytes} existed reads with 0 for them; {@code images_per_second} is
 * derived (examples / wall) and not read back.
 */
public final class RoundsCsv {
    /** The header, in column order. */
    public static final List<String> COLUMNS = List.of("round", "epoch", "examples", "train_loss", "compute_seconds",
            "overhead_seconds", "wall_seconds", "images_per_second", "aggregate_seconds", "exchange_bytes");

    private static final List<String> REQUIRED = COLUMNS.subList(0, 7);
    private static final CSVFormat WRITE = CSVFormat.DEFAULT.builder().setRecordSeparator('\n')
            .setHeader(COLUMNS.toArray(String[]::new)).build();
    private static final CSVFormat READ = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
            .setIgnoreEmptyLines(true).setIgnoreSurroundingSpaces(true).build();

    private RoundsCsv() { }

    /** The file's text: the header, then one row per round (loss to 6 decimals, seconds to 4). */
    public static String format(List<RoundStats> rounds) {
        StringWriter text = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(text, WRITE)) {
            for (RoundStats r : rounds) {
                p.printRecord(r.round(), r.epoch(), r.examples(), fixed(6, r.trainLoss()), fixed(4, r.computeSeconds()),
                        fixed(4, r.overheadSeconds()), fixed(4, r.wallSeconds()), fixed(1, r.imagesPerSecond()),
                        fixed(4, r.aggregateSeconds()), r.exchangeBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringWriter does not fail
        }
        return text.toString();
    }

    /** Writes {@code rounds} to {@code location}, atomically. */
    public static void write(Storage storage, String location, List<RoundStats> rounds) throws IOException {
        storage.write(location, format(rounds).getBytes(StandardCharsets.UTF_8));
    }

    /** The rows of an earlier run before round {@code before} (for --resume); empty if there is no file. */
    public static List<RoundStats> read(Storage storage, String location, int before) throws IOException {
        List<RoundStats> rows = new ArrayList<>();
        if (!storage.exists(location)) {
            return rows;
        }
        try (Reader in = new InputStreamReader(new ByteArrayInputStream(storage.read(location)),
                StandardCharsets.UTF_8)) {
            for (RoundStats r : parse(in, location)) {
                if (r.round() < before) {
                    rows.add(r);
                }
            }
        }
        return rows;
    }

    /**
     * Every row of a rounds.csv read from {@code in}. A missing required column or a field that is not a number
     * fails with {@code source} and the line.
     */
    public static List<RoundStats> parse(Reader in, String source) throws IOException {
        try (CSVParser csv = READ.parse(in)) {
            for (String c : REQUIRED) {
                if (!csv.getHeaderMap().containsKey(c)) {
                    throw new IOException(source + ": no column " + c);
                }
            }
            boolean aggregate = csv.getHeaderMap().containsKey("aggregate_seconds");
            boolean exchange = csv.getHeaderMap().containsKey("exchange_bytes");
            List<RoundStats> rows = new ArrayList<>();
            for (CSVRecord r : csv) {
                try {
                    rows.add(new RoundStats(Integer.parseInt(r.get("round")), Integer.parseInt(r.get("epoch")),
                            Long.parseLong(r.get("examples")), Double.parseDouble(r.get("train_loss")),
                            Double.parseDouble(r.get("compute_seconds")), Double.parseDouble(r.get("overhead_seconds")),
                            Double.parseDouble(r.get("wall_seconds")),
                            aggregate ? Double.parseDouble(r.get("aggregate_seconds")) : 0,
                            exchange ? Long.parseLong(r.get("exchange_bytes")) : 0));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new IOException(source + " line " + csv.getCurrentLineNumber() + ": " + e.getMessage(), e);
                }
            }
            return rows;
        }
    }

    private static String fixed(int decimals, double x) {
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }
}
