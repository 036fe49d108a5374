package org.sparkcnn.spark.cli;

import org.apache.spark.SparkException;
import org.sparkcnn.core.io.MalformedFileException;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.spark.RoundTimeoutException;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.ObjectStreamException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an exception that ended a command means to the user: its exit code and one line. The chain is read from
 * the outside in, looking through wrappers (a Spark job failure, an unchecked I/O exception, a future's failure):
 * <ul>
 *   <li>{@value #DIVERGED}: training diverged;</li>
 *   <li>{@value #BAD_INPUT}: the user's input — a {@link UserError}, an IllegalArgumentException (a bad option,
 *       model spec or IDX file), a malformed model or checkpoint file ({@link MalformedFileException}), a file that
 *       does not exist;</li>
 *   <li>{@value #IO_FAILURE}: any other I/O failure — permission denied, disk full, a lost connection;</li>
 *   <li>{@value #TIMED_OUT}: a round ran longer than {@code --round-timeout} and was cancelled;</li>
 *   <li>{@value #INTERNAL}: anything else (an IllegalStateException, a NullPointerException, a Java
 *       deserialization failure such as a class the serialization filter rejects: a bug, not the input).</li>
 * </ul>
 */
record Failure(int code, String message) {
    static final int INTERNAL = 1;
    static final int BAD_INPUT = 2;
    static final int DIVERGED = 3;
    static final int IO_FAILURE = 4;
    static final int TIMED_OUT = 5;

    /** A diverged task's exception, by name, in a Spark failure whose cause did not survive the trip. */
    private static final Pattern DIVERGED_TEXT = Pattern.compile("DivergedException: ([^\\n]*)");

    static Failure of(Throwable e, boolean verbose) {
        String context = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof LocalTrainer.DivergedException) {
                return new Failure(DIVERGED, t.getMessage() + " (--lr)");
            }
            if (t instanceof RoundTimeoutException) {
                return new Failure(TIMED_OUT, t.getMessage() + " (--round-timeout)");
            }
            if (t instanceof UserError || t instanceof IllegalArgumentException || t instanceof MalformedFileException) {
                return new Failure(BAD_INPUT, t.getMessage());
            }
            if (t instanceof NoSuchFileException) {
                return new Failure(BAD_INPUT, "no such file: " + t.getMessage());
            }
            if (t instanceof FileNotFoundException && !String.valueOf(t.getMessage()).contains("ermission denied")) {
                return new Failure(BAD_INPUT, t.getMessage());
            }
            if (t instanceof IOException io && !(t instanceof ObjectStreamException)) {
                return new Failure(IO_FAILURE, "I/O failure: " + (context != null ? context : describe(io)));
            }
            if (t instanceof UncheckedIOException u && u.getCause() != null
                    && !u.getMessage().equals(u.getCause().toString())) {
                context = u.getMessage();
            }
            Matcher diverged = DIVERGED_TEXT.matcher(String.valueOf(t.getMessage()));
            if (diverged.find()) {
                return new Failure(DIVERGED, diverged.group(1) + " (--lr)");
            }
            if (!isWrapper(t)) {
                break;
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && isWrapper(root)) {
            root = root.getCause();
        }
        return new Failure(INTERNAL, "internal error: " + root.getClass().getSimpleName() + ": " + root.getMessage()
                + (verbose ? "" : " (run with --verbose for the stack trace)"));
    }

    /** Exceptions that only carry another: the meaning is in their cause. */
    private static boolean isWrapper(Throwable t) {
        return t instanceof SparkException || t instanceof UncheckedIOException || t instanceof ExecutionException
                || t instanceof CompletionException || t instanceof picocli.CommandLine.ExecutionException
                || t.getClass() == RuntimeException.class;
    }

    /** One line for an I/O exception; the JDK's file exceptions carry only the path as their message. */
    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() == null) {
            return f.getFile() + ": " + f.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
