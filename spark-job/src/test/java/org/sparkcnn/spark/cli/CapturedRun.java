package org.sparkcnn.spark.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The command line run in-process ({@link Main#run}) with its standard error captured.
 *
 * @param code the exit code
 * @param stderr all the command wrote to standard error, Spark's log lines included
 */
public record CapturedRun(int code, String stderr) {
    public static CapturedRun of(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = Main.run(args);
        } finally {
            System.setErr(saved);
        }
        return new CapturedRun(code, err.toString(StandardCharsets.UTF_8));
    }
}
