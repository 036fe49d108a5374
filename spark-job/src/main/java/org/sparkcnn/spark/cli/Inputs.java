package org.sparkcnn.spark.cli;

import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.data.MnistDataset;
import org.sparkcnn.spark.io.Storage;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Loads a data set for a model and refuses, in one line, data the model cannot take. */
final class Inputs {
    private Inputs() { }

    static MnistDataset load(Storage storage, String dir, boolean train, int limit, ModelSpec spec) {
        MnistDataset d;
        try {
            d = storage.loadMnist(dir, train);
        } catch (NoSuchFileException e) {
            throw new UserError("--data " + dir + ": " + e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("--data " + dir + ": " + e.getMessage());
        }
        if (d.size() == 0) {
            throw new UserError("--data " + dir + ": the " + (train ? "training" : "test") + " set is empty");
        }
        var in = spec.input();
        if (in.channels() != 1 || in.height() != d.rows() || in.width() != d.cols()) {
            throw new UserError("--data " + dir + ": images are " + d.rows() + "x" + d.cols() + " but the model expects "
                    + in + " (channels x height x width)");
        }
        if (spec.outputs() < 10) {
            throw new UserError("--model: the output layer has " + spec.outputs() + " units but the labels are digits 0-9");
        }
        return limit > 0 ? d.limit(limit) : d;
    }
}
