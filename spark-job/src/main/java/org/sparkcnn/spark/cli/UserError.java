package org.sparkcnn.spark.cli;

/** A problem with the user's input (option, file, data): reported as one line, exit code 2. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
