package org.sparkcnn.spark.cli;

import org.sparkcnn.spark.io.Redaction;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * Entry point: {@code spark-cnn train | evaluate | predict | convert}, plus the subcommands of the {@link CliExtension}s
 * on the class path ({@code export} from the tools module). Every error caused by input ends
 * with one line naming the problem (a stack trace only with {@code --verbose}) and a non-zero exit code: 2 for a
 * bad option or input, 3 when training diverges, 4 for an I/O failure that is not about the input (permission
 * denied, disk full), 1 for an internal error ({@link Failure}). A command stopped by SIGTERM or SIGINT ends with one
 * line saying so and 128 + the signal's number ({@link StopSignal}).
 */
@Command(name = "spark-cnn", mixinStandardHelpOptions = true, showDefaultValues = true, version = "spark-cnn 0.1.0",
        description = "Distributed training of convolutional networks on Apache Spark.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, ConvertCommand.class})
public final class Main implements Runnable {

    public static final int INTERNAL = Failure.INTERNAL;
    public static final int BAD_INPUT = Failure.BAD_INPUT;
    public static final int DIVERGED = Failure.DIVERGED;
    public static final int IO_FAILURE = Failure.IO_FAILURE;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this),
                "missing subcommand: train, evaluate, predict, export or convert");
    }

    public static void main(String[] args) {
        StopSignal.install();
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (never calls System.exit). */
    public static int run(String... args) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        CommandLine cli = new CommandLine(new Main());
        Extensions.all().forEach(x -> x.subcommands().forEach(cli::addSubcommand));
        cli.setOverwrittenOptionsAllowed(true);
        cli.setParameterExceptionHandler((e, a) -> {
            err().println("spark-cnn: error: " + Redaction.text(e.getMessage()) + " (see --help)");
            err().flush();
            return BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> report(e, verbose));
        try {
            String[] expanded = ConfigFile.expand(args);
            if (expanded.length > 0 && !cli.getSubcommands().containsKey(expanded[0])) {
                Extensions.missing(expanded[0]).ifPresent(why -> {
                    throw new UserError(why);
                });
            }
            return cli.execute(expanded);
        } catch (UserError e) {
            err().println("spark-cnn: error: " + Redaction.text(e.getMessage()));
            err().flush();
            return BAD_INPUT;
        }
    }

    private static PrintWriter err() {
        return new PrintWriter(System.err, true);
    }

    static int report(Exception e, boolean verbose) {
        if (verbose) {
            e.printStackTrace();
        }
        if (StopSignal.received()) {                // the stop cancelled the command's jobs: not a failure
            return StopSignal.tell();
        }
        Failure f = Failure.of(e, verbose);
        err().println("spark-cnn: error: " + Redaction.text(f.message()));
        err().flush();
        return f.code();
    }
}
