package org.sparkcnn.spark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A config file sets booleans both ways, and flags on the command line override it. */
class ConfigFileTest {
    @TempDir
    Path tmp;

    TrainCommand parse(String properties, String... flags) throws IOException {
        Path f = tmp.resolve("run.properties");
        Files.writeString(f, properties);
        String[] args = new String[flags.length + 3];
        args[0] = "train";
        args[1] = "--config";
        args[2] = f.toString();
        System.arraycopy(flags, 0, args, 3, flags.length);
        String[] expanded = ConfigFile.expand(args);
        TrainCommand train = new TrainCommand();
        new CommandLine(train).setOverwrittenOptionsAllowed(true)       // as Main parses: the last value wins
                .parseArgs(java.util.Arrays.copyOfRange(expanded, 1, expanded.length));
        return train;
    }

    @Test
    void aBooleanIsTurnedOffEitherWay() throws IOException {
        assertTrue(parse("local-steps = 3\n").averageUpdaterState);
        assertFalse(parse("average-updater-state = false\n").averageUpdaterState);
        assertFalse(parse("no-average-updater-state = true\n").averageUpdaterState);
        assertTrue(parse("no-average-updater-state = false\n").averageUpdaterState);
        assertTrue(parse("average-updater-state = false\n", "--average-updater-state").averageUpdaterState,
                "the command line overrides the file");
        assertTrue(parse("eval-every-epoch = true\n").evalEveryEpoch);
        assertFalse(parse("eval-every-epoch = false\n").evalEveryEpoch);
        assertEquals(3, parse("local-steps = 3\n").localSteps);
    }

    @Test
    void badBooleansAndUnknownNegationsAreRefused() {
        UserError e = assertThrows(UserError.class, () -> parse("average-updater-state = no\n"));
        assertTrue(e.getMessage().contains("'average-updater-state' must be true or false, got 'no'"), e.getMessage());
        UserError n = assertThrows(UserError.class, () -> parse("no-eval-every-epoch = true\n"));
        assertTrue(n.getMessage().contains("unknown key 'no-eval-every-epoch'"), n.getMessage());
    }
}
