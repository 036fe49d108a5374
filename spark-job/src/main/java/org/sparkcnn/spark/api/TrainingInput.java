package org.sparkcnn.spark.api;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.spark.data.ImageSource;
import org.sparkcnn.spark.data.PixelScale;
import org.sparkcnn.spark.data.RowSource;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.data.Sources;
import org.sparkcnn.spark.io.Redaction;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * The data a run trains on (and tests on, when there is a test set), read by the executors: a directory of IDX or
 * Parquet files, or Spark Datasets. The driver reads only headers or schemas and counts rows.
 */
public final class TrainingInput {
    private final String dir;
    private final Dataset<Row> train;
    private final Dataset<Row> test;
    private final RowSource.Columns columns;
    private final PixelScale scale;

    private TrainingInput(String dir, Dataset<Row> train, Dataset<Row> test, RowSource.Columns columns,
                          PixelScale scale) {
        this.dir = dir;
        this.train = train;
        this.test = test;
        this.columns = columns;
        this.scale = scale;
    }

    /**
     * A directory or Hadoop URI with MNIST's four IDX files (plain or gzipped), or with Parquet directories
     * {@code train/} and {@code test/} as {@code spark-cnn convert} writes them. Messages name it as the command
     * line does ({@code --data DIR}).
     */
    public static TrainingInput directory(String dir) {
        return new TrainingInput(Objects.requireNonNull(dir, "dir"), null, null, null, null);
    }

    /**
     * Rows of labelled images: a numeric label column with whole values 0..K-1 and an image column (binary or
     * {@code array<byte>} pixels; {@code array<float>}, {@code array<double>} or an ml {@code Vector} of C·H·W
     * values on {@code scale}; or Spark's image struct), an optional test set in the same columns.
     */
    public static TrainingInput rows(Dataset<Row> train, Optional<Dataset<Row>> test, RowSource.Columns columns,
                                     PixelScale scale) {
        return new TrainingInput(null, Objects.requireNonNull(train, "train"), test.orElse(null),
                Objects.requireNonNull(columns, "columns"), Objects.requireNonNull(scale, "scale"));
    }

    /** What the input is, for metrics.json's configuration ({@code data}); a URI without its user-info. */
    public String name() {
        return dir != null ? Redaction.uri(dir) : "Dataset[" + columns.label() + ", " + columns.image() + "]";
    }

    public boolean hasTest() {
        return dir != null || test != null;
    }

    private String what(boolean isTrain) {
        return dir != null ? "--data " + Redaction.uri(dir) : "the " + part(isTrain) + " Dataset";
    }

    private static String part(boolean isTrain) {
        return isTrain ? "training" : "test";
    }

    /**
     * The training or test part, limited to its first {@code limit} examples when {@code limit > 0}. Refuses, in one
     * line naming the input, a missing or malformed file or column, an empty set, fewer examples than
     * {@code shards}, and images whose C×H×W is not the model's input.
     */
    ImageSource open(JavaSparkContext sc, boolean isTrain, int limit, ModelSpec spec, int shards) {
        String what = what(isTrain);
        ImageSource s;
        try {
            s = dir != null ? Sources.open(sc, dir, isTrain, limit, spec.input())
                    : RowSource.of(isTrain ? train : test, columns, spec.input(), scale, what, limit);
        } catch (IOException e) {                             // the message is the whole story: no cause
            throw new IllegalArgumentException(Redaction.text(what + ": " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            // Hadoop's messages name the location as given, credentials included
            String m = Redaction.text(e.getMessage());
            if (m.startsWith(what) && m.equals(e.getMessage())) {
                throw e;
            }
            throw new IllegalArgumentException(m.startsWith(what) ? m : what + ": " + m);
        }
        if (s.size() == 0) {
            throw new IllegalArgumentException(what + ": the " + part(isTrain) + " set is empty");
        }
        if (s.size() < shards) {
            throw new IllegalArgumentException(what + ": the " + part(isTrain) + " set has " + s.size()
                    + " examples, fewer than the " + shards + " workers");
        }
        if (!s.shape().equals(spec.input())) {
            throw new IllegalArgumentException(what + ": images are " + s.shape() + " but the model expects "
                    + spec.input() + " (channels x height x width; a spec such as input" + s.shape() + ",...)");
        }
        return s;
    }

    /** Refuses training labels that do not span exactly the model's classes 0..K-1. */
    void checkClasses(Shards shards, ModelSpec spec) {
        int seen = shards.classesSeen();
        if (seen != spec.outputs()) {
            throw new IllegalArgumentException(what(true) + ": the training labels are 0.." + (seen - 1) + " ("
                    + seen + " classes) but the model's output layer has " + spec.outputs() + " units (the model: "
                    + "--model, or modelSpec in spark.ml)");
        }
    }
}
