package org.sparkcnn.spark.cli;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

import java.io.IOException;
import java.net.URI;

/**
 * The local file system under the scheme {@code fulldisk://}, on a disk that is full: reads work, every file
 * creation fails as the kernel's ENOSPC does. Installed with {@code spark.hadoop.fs.fulldisk.impl}.
 */
public final class FullDiskFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "fulldisk";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        throw new IOException(f + ": No space left on device");
    }

    @Override
    public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
                                     Progressable progress) throws IOException {
        throw new IOException(f + ": No space left on device");
    }
}
