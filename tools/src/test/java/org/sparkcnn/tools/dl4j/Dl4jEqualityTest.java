package org.sparkcnn.tools.dl4j;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our CNN against DL4J on the same weights and the same 16 real MNIST digits: outputs, loss and every layer's
 * weight and bias gradient must agree (random digits stand in if the sample is missing). DL4J is an independent
 * implementation (libnd4j convolution and pooling ops, its own losses and backward passes), so agreement checks
 * our forward and backward passes, our parameter layout and our "same" padding.
 */
class Dl4jEqualityTest {
    private static final Path MNIST = Path.of("..", "data", "mnist-sample");
    private static final int N = 16;
    private static INDArray images;   // [16, 1, 28, 28] in [0, 1]
    private static INDArray labels;   // [16, 10] one-hot

    /** Same padding with an even kernel (asymmetric padding) and stride 2, tanh/sigmoid, average pooling, MSE. */
    static final String SMALL = "conv4x4x6:same:tanh:bias0.1,avgpool2,conv3x3x8:s2:same:sigmoid,maxpool2,"
            + "dense20:tanh,dense10:sigmoid,loss=quadratic";

    @BeforeAll
    static void readDigits() throws IOException {
        Path img = MNIST.resolve("t10k-images-idx3-ubyte.gz");
        Path lab = MNIST.resolve("t10k-labels-idx1-ubyte.gz");
        float[] x = new float[N * 28 * 28];
        int[] y = new int[N];
        if (Files.exists(img) && Files.exists(lab)) {
            try (DataInputStream in = idx(img, 2051)) {
                in.readInt();
                in.readInt();
                for (int i = 0; i < x.length; i++) {
                    x[i] = in.readUnsignedByte() / 255f;
                }
            }
            try (DataInputStream in = idx(lab, 2049)) {
                for (int i = 0; i < N; i++) {
                    y[i] = in.readUnsignedByte();
                }
            }
            System.out.println("input: the first 16 test digits of " + MNIST.toAbsolutePath().normalize());
        } else {
            System.out.println("input: " + MNIST + " not found, 16 seeded random images and labels");
            java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble();
            }
            for (int i = 0; i < N; i++) {
                y[i] = rng.nextInt(10);
            }
        }
        images = Nd4j.create(x, new long[] {N, 1, 28, 28}, 'c');
        labels = Nd4j.zeros(DataType.FLOAT, N, 10);
        for (int i = 0; i < N; i++) {
            labels.putScalar(i, y[i], 1f);
        }
    }

    /** Opens a gzipped IDX file, checks its magic and skips to after the item count. */
    private static DataInputStream idx(Path file, int magic) throws IOException {
        InputStream raw = new GZIPInputStream(Files.newInputStream(file));
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw));
        assertEquals(magic, in.readInt(), file + " magic");
        assertTrue(in.readInt() >= N, file + " has too few items");
        return in;
    }

    @ParameterizedTest
    @ValueSource(strings = {Presets.LENET, SMALL})
    void outputsLossAndGradientsMatchDl4j(String text) {
        ModelSpec spec = ModelSpec.parse(text);
        Network ours = new Network(spec).initialize(17);
        MultiLayerNetwork theirs = Dl4jModels.toNetwork(Dl4jModels.configuration(spec, 17, new Sgd(0.1)),
                spec, ours.params());

        INDArray outOurs = ours.output(images.dup()).dup();
        INDArray outTheirs = theirs.output(images.dup());
        double outDiff = maxAbs(outOurs.sub(outTheirs));
        System.out.printf("%s%n  max |output difference| = %.3g%n", text, outDiff);
        assertTrue(outDiff < 1e-4, "outputs differ by " + outDiff);

        double lossOurs = ours.gradient(images.dup(), labels, 1);
        theirs.setInput(images.dup());
        theirs.setLabels(labels);
        theirs.computeGradientAndScore();
        double lossTheirs = theirs.score();
        double lossRel = Math.abs(lossOurs - lossTheirs) / Math.abs(lossTheirs);
        System.out.printf("  loss ours %.7f, DL4J %.7f, relative difference %.3g%n", lossOurs, lossTheirs, lossRel);
        assertTrue(lossRel < 1e-4, "loss " + lossOurs + " vs DL4J " + lossTheirs);

        // DL4J's gradient after computeGradientAndScore is the sum over the minibatch; its updater divides by N
        // later. Ours is already the mean.
        INDArray grads = ours.grads();
        for (Dl4jModels.ParamBlock b : Dl4jModels.paramBlocks(spec)) {
            INDArray gw = theirs.gradient().getGradientFor(b.layer() + "_W").div(N);
            INDArray gb = theirs.gradient().getGradientFor(b.layer() + "_b").div(N);
            double relW = relative(b.weights(grads), gw);
            double relB = relative(b.bias(grads), gb);
            System.out.printf("  layer %d: relative gradient difference W %.3g, b %.3g (max |dW| %.3g)%n",
                    b.layer(), relW, relB, maxAbs(gw));
            assertTrue(relW < 1e-5, "layer " + b.layer() + " W gradient differs, relative " + relW);
            assertTrue(relB < 1e-5, "layer " + b.layer() + " b gradient differs, relative " + relB);
        }
    }

    /**
     * Batch normalization on images and on vectors, with γ, β and the running statistics away from their initial
     * values: inference (running statistics), the training loss (batch statistics) and the gradients of every
     * weight, bias, γ and β match DL4J's BatchNormalization, and the parameters survive the copy both ways.
     */
    @Test
    void batchNormalizationMatchesDl4j() {
        ModelSpec spec = ModelSpec.parse("input1x28x28,conv5x5x6:tanh,batchnorm:relu,maxpool2,dense24:sigmoid,"
                + "batchnorm,softmax10");
        Network ours = new Network(spec).initialize(11);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(2);
        for (Dl4jModels.BatchNormBlock b : Dl4jModels.batchNormBlocks(spec)) {
            for (int k = 0; k < 4; k++) {
                INDArray part = b.part(ours.params(), k);
                for (int c = 0; c < b.channels(); c++) {
                    part.putScalar(0, c, (k == 0 || k == 3 ? 1.0 : 0.0) + rng.nextDouble() - 0.5);
                }
            }
        }
        MultiLayerNetwork theirs = Dl4jModels.toNetwork(Dl4jModels.configuration(spec, 11, new Sgd(0.1)),
                spec, ours.params());
        assertEquals(ours.params().toFloatVector().length, Dl4jModels.fromNetwork(spec, theirs).length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(ours.params().toFloatVector(),
                Dl4jModels.fromNetwork(spec, theirs));
        double outDiff = maxAbs(ours.output(images.dup()).sub(theirs.output(images.dup())));
        System.out.printf("batch norm: max |inference output difference| = %.3g%n", outDiff);
        assertTrue(outDiff < 1e-4, "inference outputs differ by " + outDiff);

        double lossOurs = ours.gradient(images.dup(), labels, 1);
        theirs.setInput(images.dup());
        theirs.setLabels(labels);
        theirs.computeGradientAndScore();
        double lossRel = Math.abs(lossOurs - theirs.score()) / Math.abs(theirs.score());
        System.out.printf("  training loss ours %.7f, DL4J %.7f%n", lossOurs, theirs.score());
        assertTrue(lossRel < 1e-4, "training loss " + lossOurs + " vs DL4J " + theirs.score());
        INDArray grads = ours.grads();
        for (Dl4jModels.ParamBlock b : Dl4jModels.paramBlocks(spec)) {
            double relW = relative(b.weights(grads), theirs.gradient().getGradientFor(b.layer() + "_W").div(N));
            double relB = relative(b.bias(grads), theirs.gradient().getGradientFor(b.layer() + "_b").div(N));
            System.out.printf("  layer %d: relative gradient difference W %.3g, b %.3g (max |db| %.3g)%n", b.layer(),
                    relW, relB, maxAbs(b.bias(grads)));
            // a bias feeding a batch norm through one nonlinearity: its gradient nearly cancels over the channel's
            // values (exactly, without the nonlinearity), so float rounding weighs more on it (measured 1.05e-4)
            assertTrue(relW < 1e-4 && relB < 1e-3, "layer " + b.layer() + " gradient differs: " + relW + ", " + relB);
        }
        for (Dl4jModels.BatchNormBlock b : Dl4jModels.batchNormBlocks(spec)) {
            for (int k = 0; k < 2; k++) {
                INDArray theirsG = theirs.gradient().getGradientFor(b.key(k)).div(N).reshape(1, b.channels());
                double rel = relative(b.part(grads, k), theirsG);
                System.out.printf("  layer %d %s: relative gradient difference %.3g%n", b.layer(), b.key(k), rel);
                assertTrue(rel < 1e-4, b.key(k) + " gradient differs, relative " + rel);
            }
        }
    }

    @Test
    void inferenceWithDropoutAndBiasInitMatchesDl4j() {
        ModelSpec spec = ModelSpec.parse(Presets.TF_MNIST);
        Network ours = new Network(spec).initialize(3);
        MultiLayerNetwork theirs = Dl4jModels.toNetwork(spec, ours.params());
        INDArray x = images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)).dup();
        double diff = maxAbs(ours.output(x.dup()).sub(theirs.output(x.dup())));
        System.out.printf("tf-mnist: max |output difference| = %.3g%n", diff);
        assertTrue(diff < 1e-4, "outputs differ by " + diff);
    }

    @Test
    void exportedZipRestoresToTheSameOutputs(@TempDir Path dir) throws IOException {
        ModelSpec spec = ModelSpec.parse(Presets.LENET);
        Network ours = new Network(spec).initialize(29);
        Path zip = dir.resolve("lenet.zip");
        Dl4jModels.exportZip(spec, ours.params(), zip);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(zip.toFile());
        assertEquals(spec.paramCount(), restored.numParams());
        double diff = maxAbs(ours.output(images.dup()).sub(restored.output(images.dup())));
        assertTrue(diff < 1e-4, "restored outputs differ by " + diff);
    }

    /** max |a − b| / max |b|, elementwise by index whatever the two arrays' memory orders. */
    private static double relative(INDArray a, INDArray b) {
        assertEquals(java.util.Arrays.toString(b.shape()), java.util.Arrays.toString(a.shape()));
        return maxAbs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE))) / Math.max(maxAbs(b), 1e-30);
    }

    private static double maxAbs(INDArray a) {
        return a.amaxNumber().doubleValue();
    }

}
