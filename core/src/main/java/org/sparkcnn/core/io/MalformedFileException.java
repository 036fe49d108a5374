package org.sparkcnn.core.io;

import java.io.IOException;

/**
 * A file whose content is wrong (not the format, corrupt, truncated, inconsistent with its spec), as opposed to an
 * I/O failure reading it; the one-line message is {@code "<file>: <fault>"}.
 */
public final class MalformedFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public MalformedFileException(String file, String fault) {
        super(file + ": " + fault);
    }
}
