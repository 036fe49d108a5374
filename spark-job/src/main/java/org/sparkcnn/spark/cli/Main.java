package org.sparkcnn.spark.cli;

import org.sparkcnn.core.train.LocalTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Entry point: {@code spark-cnn train | evaluate | predict | convert}, plus the subcommands of the {@link CliExtension}s
 * on the class path ({@code export} from the tools module). Every error caused by input ends
 * with one line naming the problem (a stack trace only with {@code --verbose}) and a non-zero exit code: 2 for a
 * bad option or input, 3 when training diverges, 1 for anything else.
 */
@Command(name = "spark-cnn", mixinStandardHelpOptions = true, showDefaultValues = true, version = "spark-cnn 0.1.0",
        description = "Distributed training of convolutional networks on Apache Spark.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, ConvertCommand.class})
public final class Main implements Runnable {

    public static final int BAD_INPUT = 2;
    public static final int DIVERGED = 3;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this),
                "missing subcommand: train, evaluate, predict, export or convert");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (never calls System.exit). */
    public static int run(String... args) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        CommandLine cli = new CommandLine(new Main());
        Extensions.all().forEach(x -> x.subcommands().forEach(cli::addSubcommand));
        cli.setOverwrittenOptionsAllowed(true);
        cli.setParameterExceptionHandler((e, a) -> {
            err().println("spark-cnn: error: " + e.getMessage() + " (see --help)");
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
            err().println("spark-cnn: error: " + e.getMessage());
            err().flush();
            return BAD_INPUT;
        }
    }

    private static PrintWriter err() {
        return new PrintWriter(System.err, true);
    }

    private static final Pattern DIVERGED_CAUSE = Pattern.compile("DivergedException: ([^\\n]*)");

    static int report(Exception e, boolean verbose) {
        if (verbose) {
            e.printStackTrace();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = String.valueOf(e.getMessage());
        Matcher diverged = DIVERGED_CAUSE.matcher(text);
        int code;
        String message;
        if (root instanceof LocalTrainer.DivergedException || diverged.find()) {
            code = DIVERGED;
            message = (root instanceof LocalTrainer.DivergedException ? root.getMessage() : diverged.group(1))
                    + " (--lr)";
        } else if (root instanceof UserError || root instanceof IllegalArgumentException
                || root instanceof java.nio.file.NoSuchFileException || root instanceof IOException) {
            code = BAD_INPUT;
            message = root instanceof java.nio.file.NoSuchFileException ? "no such file: " + root.getMessage()
                    : root.getMessage();
        } else {
            code = 1;
            message = root.getClass().getSimpleName() + ": " + root.getMessage()
                    + (verbose ? "" : " (run with --verbose for the stack trace)");
        }
        err().println("spark-cnn: error: " + message);
        err().flush();
        return code;
    }
}
