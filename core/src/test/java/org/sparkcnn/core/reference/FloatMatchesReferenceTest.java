package org.sparkcnn.core.reference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.OneDnn;
import org.sparkcnn.core.RandomBatch;
import org.sparkcnn.core.WeightInit;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float production network against the double reference ({@link ReferenceGradientCheckTest} checks the
 * reference) on the same weights and inputs, both float-representable: inference outputs, per-example losses
 * (scoring), the training loss and every layer's weight and bias gradient (dropout masks included) must agree up to
 * float rounding. Errors are relative to the largest magnitude of the compared block. Every spec runs with both
 * convolution kernels: im2col + GEMM, and oneDNN's ops for every pass they can express (the test JVM loads ND4J's
 * oneDNN build; the test fails if it did not).
 */
class FloatMatchesReferenceTest {
    /** The worst difference seen on these specs is 2.2e-6 of the magnitudes (float rounding through the layers). */
    private static final double TOLERANCE = 2e-5;

    /** The gradient check's specs, and full-size LeNet (too slow for central differences). */
    static Stream<String> specs() {
        return Stream.concat(ReferenceGradientCheckTest.specs(),
                Stream.of("input1x28x28,conv5x5x20,maxpool2,conv5x5x50,maxpool2,dense500:relu,softmax10"));
    }

    static Stream<Arguments> specsAndKernels() {
        return specs().flatMap(s -> Stream.of(Arguments.of(s, "im2col"), Arguments.of(s, "onednn")));
    }

    @ParameterizedTest
    @MethodSource("specsAndKernels")
    void floatNetworkMatchesTheReference(String text, String kernel) {
        assertTrue(OneDnn.loaded(), "the test JVM should load ND4J's oneDNN build (nd4j-native's onednn jar)");
        ModelSpec spec = ModelSpec.parse(text, WeightInit.parse("uniform0.5"));
        int n = 5;
        Network production;
        System.setProperty("sparkcnn.conv.kernel", kernel);
        try {
            production = new Network(spec).initialize(7);
        } finally {
            System.clearProperty("sparkcnn.conv.kernel");
        }
        BatchNormParameters.randomize(spec, production.params(), 5);
        ReferenceNetwork reference = new ReferenceNetwork(spec, production.params().toDoubleVector());
        RandomBatch batch = RandomBatch.of(spec, n, DataType.FLOAT, 11);
        INDArray x = batch.x();
        INDArray y = batch.y();
        double[] xd = x.dup('c').data().asDouble();
        double[] yd = y.dup('c').data().asDouble();

        double worst = assertClose(reference.output(xd, n), production.output(x.dup()).dup('c').data().asDouble(),
                text + ": outputs");
        worst = Math.max(worst, assertClose(reference.exampleLosses(xd, yd, n), production.score(x.dup(), y).losses(),
                text + ": per-example losses"));

        long noise = 3;
        double lossR = reference.gradient(xd, yd, n, noise);
        double lossF = production.gradient(x.dup(), y, noise);
        assertEquals(lossR, lossF, TOLERANCE * Math.max(1, Math.abs(lossR)), text + ": loss");
        double[] gradsF = production.grads().toDoubleVector();
        for (ReferenceNetwork.Block b : reference.blocks()) {
            worst = Math.max(worst, assertClose(slice(reference.grads(), b), slice(gradsF, b),
                    text + ": gradient of " + b.name()));
        }
        // the training pass moved any running statistics: parameters and inference must still agree
        worst = Math.max(worst, assertClose(reference.params(), production.params().toDoubleVector(),
                text + ": parameters after a training pass"));
        worst = Math.max(worst, assertClose(reference.output(xd, n), production.output(x.dup()).dup('c').data().asDouble(),
                text + ": outputs after a training pass"));
        System.out.printf("%s (%s): worst relative difference from the reference %.2g%n", text, kernel, worst);
    }

    private static double[] slice(double[] v, ReferenceNetwork.Block b) {
        return java.util.Arrays.copyOfRange(v, b.offset(), b.offset() + b.length());
    }

    /** max |expected − actual| ≤ TOLERANCE · max |expected|, and expected is not all zero; returns the ratio. */
    private static double assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(scale > 0, what + ": all zero");
        assertTrue(diff <= TOLERANCE * scale, what + ": max difference " + diff + " against max magnitude " + scale
                + " (relative " + diff / scale + ")");
        return diff / scale;
    }
}
