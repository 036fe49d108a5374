package org.sparkcnn.spark.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.deploy.SparkHadoopUtil;

import java.io.IOException;
import java.net.URI;

/**
 * Files as executors see them: any Hadoop file system, with the job's {@code spark.hadoop.*} settings. A path
 * without a scheme is a local file, qualified on the driver against its working directory (executors run elsewhere).
 */
final class HadoopFiles {
    private HadoopFiles() { }

    /** {@code location} as a URI every JVM of the job resolves the same way. */
    static String qualify(String location) {
        if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") || location.startsWith("file:")) {
            return location;
        }
        return java.nio.file.Path.of(location).toAbsolutePath().normalize().toUri().toString();
    }

    /** The file system of a qualified location, configured from this JVM's SparkConf (driver or executor). */
    static FileSystem fileSystem(String qualified) throws IOException {
        SparkEnv env = SparkEnv.get();
        Configuration conf = env == null ? new Configuration()
                : SparkHadoopUtil.get().newConfiguration(env.conf());
        return FileSystem.get(URI.create(qualified), conf);
    }

    static Path path(String qualified) {
        return new Path(URI.create(qualified));
    }
}
