package org.sparkcnn.spark.cli;

import org.sparkcnn.spark.io.Redaction;

/**
 * A problem with the user's input (option, file, data): reported as one line, exit code 2. The message is kept
 * without the user-info of the URIs it names ({@link Redaction}).
 */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(Redaction.text(message));
    }
}
