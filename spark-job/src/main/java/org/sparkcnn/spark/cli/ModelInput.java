package org.sparkcnn.spark.cli;

import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.spark.io.Storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;

/** Reads a saved model (local path or Hadoop URI), turning every fault into a one-line user error. */
public final class ModelInput {
    private ModelInput() { }

    public static ModelFile.Model load(Storage storage, String location) {
        try (InputStream in = storage.open(location)) {
            return ModelFile.readFrom(in, location);
        } catch (NoSuchFileException e) {
            throw new UserError("--model " + location + ": no such file");
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("--model " + e.getMessage());
        }
    }
}
