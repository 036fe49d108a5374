package org.sparkcnn.spark.exchange;

/** Bytes one task read from exchange blocks: from its own executor's block manager and from others'. */
public final class Traffic {
    private long localBytes;
    private long remoteBytes;

    void add(long bytes, boolean remote) {
        if (remote) {
            remoteBytes += bytes;
        } else {
            localBytes += bytes;
        }
    }

    public long localBytes() {
        return localBytes;
    }

    public long remoteBytes() {
        return remoteBytes;
    }
}
