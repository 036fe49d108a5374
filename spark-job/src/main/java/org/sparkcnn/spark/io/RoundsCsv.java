package org.sparkcnn.spark.io;

import org.sparkcnn.spark.RoundStats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** rounds.csv: one row per round ({@link RoundStats#CSV_HEADER}); rewritten whole, atomically. */
public final class RoundsCsv {
    private RoundsCsv() { }

    public static void write(Storage storage, String location, List<RoundStats> rounds) throws IOException {
        StringBuilder b = new StringBuilder(RoundStats.CSV_HEADER).append('\n');
        for (RoundStats r : rounds) {
            b.append(r.csv()).append('\n');
        }
        storage.write(location, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The rows of an earlier run before round {@code before} (for --resume); empty if there is no file. Files
     * written before the aggregate_seconds column existed read with an aggregation time of 0.
     */
    public static List<RoundStats> read(Storage storage, String location, int before) throws IOException {
        List<RoundStats> rows = new ArrayList<>();
        if (!storage.exists(location)) {
            return rows;
        }
        String[] lines = new String(storage.read(location), StandardCharsets.UTF_8).split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",");
            if (f.length < 7) {
                continue;
            }
            RoundStats r = new RoundStats(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]), f.length > 8 ? Double.parseDouble(f[8]) : 0,
                    f.length > 9 ? Long.parseLong(f[9]) : 0);
            if (r.round() < before) {
                rows.add(r);
            }
        }
        return rows;
    }
}
