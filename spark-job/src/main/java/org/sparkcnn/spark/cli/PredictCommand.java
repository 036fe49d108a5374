package org.sparkcnn.spark.cli;

import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.Idx;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.spark.io.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code spark-cnn predict}: labels for images, in this JVM. Inputs are IDX image files (every image in them) or
 * PNG files of exactly the model's size, MNIST-style: white digit on black ({@code --invert} for black on white).
 * Prints {@code source<TAB>label<TAB>probability} per image.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Predict digits for IDX or PNG images with a saved model.")
final class PredictCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "a model.scnn written by train")
    String model;

    @Option(names = "--invert", description = "PNGs are dark digits on a light background")
    boolean invert;

    @Option(names = "--limit", description = "at most N images from each IDX file")
    int limit = 0;

    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "IDX image files (gz or not) or PNG files")
    List<String> images;

    @Override
    public Integer call() throws Exception {
        ModelFile.Model m = ModelInput.load(new Storage(new Configuration()), model);
        Shape in = m.spec().input();
        Network net = new Network(m.spec());
        net.params().assign(m.params());
        List<String> names = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        for (String file : images) {
            read(file, in, names, pixels);
        }
        int size = in.size();
        for (int start = 0; start < pixels.size(); start += 256) {
            int count = Math.min(256, pixels.size() - start);
            float[] batch = new float[count * size];
            for (int i = 0; i < count; i++) {
                System.arraycopy(pixels.get(start + i), 0, batch, i * size, size);
            }
            INDArray x = Nd4j.createFromArray(batch).reshape(count, in.channels(), in.height(), in.width());
            INDArray p = net.output(x);
            for (int i = 0; i < count; i++) {
                INDArray row = p.getRow(i);
                int label = row.argMax().getInt(0);
                System.out.printf(Locale.ROOT, "%s\t%d\t%.4f%n", names.get(start + i), label, row.getDouble(label));
            }
        }
        return 0;
    }

    private void read(String file, Shape in, List<String> names, List<float[]> pixels) throws IOException {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new UserError(file + ": no such file");
        }
        if (file.toLowerCase(Locale.ROOT).endsWith(".png")) {
            float[] v = PngImage.read(p, in, invert);
            names.add(file);
            pixels.add(v);
            return;
        }
        Idx.Images idx;
        try (InputStream s = Files.newInputStream(p)) {
            idx = Idx.readImages(s, file, file.endsWith(".gz") ? -1 : Files.size(p));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        if (!idx.shape().equals(in)) {
            throw new UserError(file + ": images are " + idx.shape() + " but the model expects " + in
                    + " (channels x height x width)");
        }
        int n = limit > 0 ? Math.min(limit, idx.count()) : idx.count();
        int size = in.size();
        for (int i = 0; i < n; i++) {
            float[] v = new float[size];
            for (int j = 0; j < size; j++) {
                v[j] = (idx.pixels()[i * size + j] & 0xff) / 255f;
            }
            names.add(file + "#" + i);
            pixels.add(v);
        }
    }
}
