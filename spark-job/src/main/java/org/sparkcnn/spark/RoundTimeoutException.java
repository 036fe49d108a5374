package org.sparkcnn.spark;

/** A round ran longer than the run's round timeout; its Spark jobs were cancelled and the run ends. */
public final class RoundTimeoutException extends RuntimeException {
    public RoundTimeoutException(String message) {
        super(message);
    }
}
