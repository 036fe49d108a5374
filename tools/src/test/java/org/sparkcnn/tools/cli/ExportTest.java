package org.sparkcnn.tools.cli;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.spark.cli.Main;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `export` (found by spark-cnn's Main through {@link ToolsExtension}) to a DL4J zip, for a model trained by `train`. */
class ExportTest {

    @Test
    void exportedZipGivesTheSameOutputsInDl4j(@TempDir Path dir) throws Exception {
        assertEquals(0, Main.run("train", "--data", "../data/mnist-sample", "--model",
                "conv5x5x8,maxpool2,dense32:relu,softmax10", "--epochs", "1", "--train-limit", "1000", "--test-limit",
                "200", "--workers", "2", "--progress", "none", "--out", dir.resolve("run").toString()));
        Path model = dir.resolve("run/model.scnn");
        Path zip = dir.resolve("model.zip");
        assertEquals(0, Main.run("export", "--model", model.toString(), "--out", zip.toString()));
        MultiLayerNetwork dl4j = ModelSerializer.restoreMultiLayerNetwork(zip.toFile());
        ModelFile.Model m = ModelFile.load(model);
        Network ours = new Network(m.spec());
        ours.params().assign(m.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 1, 28, 28);
        float[] expected = ours.output(x).dup().ravel().toFloatVector();
        float[] actual = dl4j.output(x).ravel().toFloatVector();
        assertArrayEquals(expected, actual, 1e-4f);
        assertTrue(Files.size(zip) > 0);
    }
}
