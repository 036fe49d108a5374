package org.sparkcnn.spark.cli;

import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.data.ImageArray;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.spark.data.ImageSource;
import org.sparkcnn.spark.data.Sources;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.io.Storage;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Loads a data set into this JVM for the one-JVM engines, refusing, in one line, data the model cannot take. */
final class Inputs {
    private Inputs() { }

    /** The whole part in this JVM, for the one-JVM paths (the dl4j-spark A/B engine). */
    static ImageArray load(Storage storage, String dir, boolean train, int limit, ModelSpec spec) {
        ImageArray d;
        try {
            d = storage.loadImages(dir, train);
        } catch (NoSuchFileException e) {
            throw new UserError("--data " + dir + ": " + e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("--data " + dir + ": " + e.getMessage());
        }
        if (d.size() == 0) {
            throw new UserError("--data " + dir + ": the " + (train ? "training" : "test") + " set is empty");
        }
        if (!d.shape().equals(spec.input())) {
            throw new UserError("--data " + dir + ": images are " + d.shape() + " but the model expects "
                    + spec.input() + " (channels x height x width)");
        }
        return limit > 0 ? d.limit(limit) : d;
    }
}
