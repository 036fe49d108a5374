package org.sparkcnn.spark.cli;

import org.sparkcnn.core.io.MalformedFileException;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.spark.io.Storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;

/** Reads a saved model (local path or Hadoop URI): a missing or malformed file is a one-line user error, a failure
 *  to read it an I/O failure. */
public final class ModelInput {
    private ModelInput() { }

    public static ModelFile.Model load(Storage storage, String location) {
        try (InputStream in = storage.open(location)) {
            return ModelFile.readFrom(in, location);
        } catch (NoSuchFileException e) {
            throw new UserError("--model " + location + ": no such file");
        } catch (MalformedFileException | IllegalArgumentException e) {
            throw new UserError("--model " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("--model " + location + ": cannot read (" + e + ")", e);
        }
    }
}
