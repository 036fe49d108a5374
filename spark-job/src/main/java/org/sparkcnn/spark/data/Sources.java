package org.sparkcnn.spark.data;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.spark.io.Redaction;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * What {@code --data DIR} names, in one of two layouts: IDX files (MNIST's names, plain or gzipped), or Parquet
 * directories {@code DIR/train} and {@code DIR/test} ({@code spark-cnn convert} writes them; read by
 * {@link RowSource#parquet}).
 */
public final class Sources {
    private Sources() { }

    /**
     * The training ({@code train}) or test part of {@code dir} (local path or Hadoop URI), limited to its first
     * {@code limit} examples when {@code limit > 0}. IDX files declare their shape, which the caller compares with the
     * model's; Parquet images are read as {@code expected} (and refused if their shape metadata says otherwise).
     * A directory in neither layout is a {@link NoSuchFileException} naming both.
     */
    public static ImageSource open(JavaSparkContext sc, String dir, boolean train, long limit, Shape expected)
            throws IOException {
        String root = HadoopFiles.qualify(dir);
        FileSystem fs = HadoopFiles.fileSystem(root);
        if (holdsIdx(fs, root, train)) {
            return IdxSource.open(dir, train, limit);
        }
        String part = join(root, partName(train));
        if (holdsParquet(fs, part)) {
            return RowSource.parquet(session(sc), part, expected, "--data " + Redaction.uri(dir) + " ("
                    + (train ? "training" : "test") + " set)", limit);
        }
        boolean exists = fs.exists(HadoopFiles.path(root));
        throw new NoSuchFileException(Redaction.uri(dir), null, (exists ? "holds neither"
                : "no such directory; expected")
                + " IDX files " + ImageArray.expectedNames(train) + (exists ? " nor" : " or") + " a Parquet directory "
                + partName(train) + "/ (spark-cnn convert writes train/ and test/)");
    }

    /** The Parquet directory of a part: {@code train} or {@code test}. */
    public static String partName(boolean train) {
        return train ? "train" : "test";
    }

    /** The SparkSession on {@code sc}. */
    public static SparkSession session(JavaSparkContext sc) {
        return SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    }

    private static boolean holdsIdx(FileSystem fs, String root, boolean train) throws IOException {
        for (String n : ImageArray.fileNames(train)) {
            for (String candidate : new String[] {n, n + ".gz"}) {
                if (fs.isFile(HadoopFiles.path(join(root, candidate)))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A directory with at least one {@code .parquet} file. */
    private static boolean holdsParquet(FileSystem fs, String location) throws IOException {
        if (!fs.isDirectory(HadoopFiles.path(location))) {
            return false;
        }
        for (FileStatus f : fs.listStatus(HadoopFiles.path(location))) {
            if (f.isFile() && f.getPath().getName().endsWith(".parquet")) {
                return true;
            }
        }
        return false;
    }

    private static String join(String root, String name) {
        return root.endsWith("/") ? root + name : root + "/" + name;
    }
}
