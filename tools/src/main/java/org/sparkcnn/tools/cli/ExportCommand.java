package org.sparkcnn.tools.cli;

import org.apache.hadoop.conf.Configuration;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.spark.cli.ModelInput;
import org.sparkcnn.spark.cli.UserError;
import org.sparkcnn.spark.io.Storage;
import org.sparkcnn.tools.dl4j.Dl4jModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code spark-cnn export}: a saved model as a Deeplearning4j MultiLayerNetwork zip (ModelSerializer). */
@Command(name = "export", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Export a saved model to a DL4J MultiLayerNetwork zip.")
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "a model.scnn written by train")
    String model;

    @Option(names = "--out", required = true, paramLabel = "ZIP", description = "the zip to write")
    String out;

    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        ModelFile.Model m = ModelInput.load(new Storage(new Configuration()), model);
        Path target = Path.of(out).toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Dl4jModels.exportZip(m.spec(), m.params(), tmp);
        } catch (IllegalArgumentException e) {
            Files.deleteIfExists(tmp);
            throw new UserError("--model " + model + " cannot be exported to DL4J: " + e.getMessage());
        }
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.println("wrote " + target);
        return 0;
    }
}
