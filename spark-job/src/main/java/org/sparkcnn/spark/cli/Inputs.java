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

/** Opens the data sets of a run and refuses, in one line, data the model cannot take. */
final class Inputs {
    private Inputs() { }

    /**
     * The training or test part of {@code dir} — IDX files or a Parquet directory ({@link Sources#open}) — as an
     * executor-read source: only file headers or schemas are read here. Refuses a missing or malformed file, an
     * empty set, fewer examples than {@code shards}, and images whose C×H×W is not the model's input.
     */
    static ImageSource open(JavaSparkContext sc, String dir, boolean train, int limit, ModelSpec spec, int shards) {
        ImageSource s;
        try {
            s = Sources.open(sc, dir, train, limit, spec.input());
        } catch (IOException e) {
            throw new UserError("--data " + dir + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage().startsWith("--data") ? e.getMessage()
                    : "--data " + dir + ": " + e.getMessage());
        }
        String part = train ? "training" : "test";
        if (s.size() == 0) {
            throw new UserError("--data " + dir + ": the " + part + " set is empty");
        }
        if (s.size() < shards) {
            throw new UserError("--data " + dir + ": the " + part + " set has " + s.size() + " examples, fewer than "
                    + "the " + shards + " workers (--workers)");
        }
        if (!s.shape().equals(spec.input())) {
            throw new UserError("--data " + dir + ": images are " + s.shape() + " but the model expects "
                    + spec.input() + " (channels x height x width; --model, e.g. input" + s.shape() + ",...)");
        }
        return s;
    }

    /** Refuses training labels that do not span exactly the model's classes 0..K-1. */
    static void checkClasses(String dir, Shards train, ModelSpec spec) {
        int seen = train.classesSeen();
        if (seen != spec.outputs()) {
            throw new UserError("--data " + dir + ": the training labels are 0.." + (seen - 1) + " (" + seen
                    + " classes) but the model's output layer has " + spec.outputs() + " units (--model)");
        }
    }

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
