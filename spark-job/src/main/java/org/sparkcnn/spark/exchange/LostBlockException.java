package org.sparkcnn.spark.exchange;

/**
 * A block of the parameter exchange that no executor holds any more (its executor was lost, or it was removed). The
 * driver recognises it by name in a failed job and replays the rounds since its last complete model.
 */
public final class LostBlockException extends RuntimeException {
    public LostBlockException(String message) {
        super(message);
    }

    /** Whether a failed job's error says that an exchange block was lost. */
    public static boolean causedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LostBlockException
                    || (t.getMessage() != null && t.getMessage().contains(LostBlockException.class.getName()))) {
                return true;
            }
        }
        return false;
    }
}
