package org.sparkcnn.core.data;

/** A malformed IDX file; the one-line message is {@code "<file>: <fault>"}. */
public final class IdxFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String file, String fault) {
        super(file + ": " + fault);
    }
}
