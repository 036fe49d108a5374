package org.sparkcnn.core.reference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.RandomBatch;
import org.sparkcnn.core.WeightInit;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Central-difference gradient checks of the reference network: for parameters θ_i of every layer's weights and biases,
 * (L(θ + ε e_i) − L(θ − ε e_i)) / 2ε must match the backward pass. The specs cover every layer, activation and
 * loss, padding and stride; {@link FloatMatchesReferenceTest} then holds the float kernels to the reference.
 */
class ReferenceGradientCheckTest {

    /** Every layer, activation (softmax both fused and alone) and loss, padding and stride, and the float kernels'
     *  special paths (long im2col runs, clipped runs, pooling beyond 2x2, pooling an NCHW input); batch norm on the
     *  input, on images and on vectors, each after a nonlinearity (a bias or shift right before a batch norm has a
     *  gradient of exactly zero, which float rounding cannot match relatively). */
    static Stream<String> specs() {
        return Stream.of(
            "input2x7x7,conv3x3x3:tanh,maxpool2,dense5:sigmoid,softmax4",
            "input1x6x6,conv3x3x2:s2:same:relu,avgpool2,softmax3",
            "input1x6x6,conv4x4x2:same:sigmoid,conv3x3x2:s2,softmax3",
            "input3x5x5,conv2x2x2:sigmoid,maxpool2:s1,softmax3",
            "input1x5x5,conv3x3x2:same,flatten,dense4:relu,dense3:softmax,loss=quadratic",
            "input1x4x4,dense5:tanh,dense3:sigmoid,loss=quadratic",
            "input1x4x4,dense6:tanh,dropout0.3,softmax3",
            "input2x8x8,conv3x3x4:relu,avgpool3:s2,dense3:identity,loss=quadratic",
            "input1x28x28,conv5x5x2,maxpool2,conv5x5x3,maxpool2,dense7:relu,softmax10",
            "input2x6x6,conv1x1x8,conv3x3x3:same:tanh,conv2x2x2:s2,softmax3",
            "input8x7x7,conv3x3x2:s2:same:relu,softmax3",
            "input1x12x12,conv3x3x20,maxpool2,conv3x3x6,avgpool2,softmax3",
            "input2x7x7,conv2x2x3:tanh,maxpool3:s2,softmax3",
            "input3x6x6,maxpool2,conv2x2x2:tanh,softmax3",
            "input2x6x6,conv3x3x3:relu,dropout0.4,conv2x2x2:sigmoid,softmax3",
            "input2x6x6,batchnorm,conv3x3x3:same:tanh,batchnorm:relu,maxpool2,dense5:sigmoid,batchnorm:tanh,softmax3",
            "input1x7x7,conv2x2x4:relu,maxpool2,batchnorm0.3:sigmoid,dropout0.3,conv2x2x2:tanh,batchnorm,softmax3"
        );
    }

    @ParameterizedTest
    @MethodSource("specs")
    void analyticGradientMatchesCentralDifferences(String text) {
        ModelSpec spec = ModelSpec.parse(text, WeightInit.parse("uniform0.5"));
        int n = 3;
        RandomBatch batch = RandomBatch.of(spec, n, DataType.DOUBLE, 11);
        double[] x = batch.x().dup('c').data().asDouble();
        double[] y = batch.y().dup('c').data().asDouble();
        ReferenceNetwork net = new ReferenceNetwork(spec,
                BatchNormParameters.randomize(spec, new Network(spec).initialize(7).params(), 5).toDoubleVector());
        long noise = 99;
        net.gradient(x, y, n, noise);
        double[] analytic = net.grads().clone();
        double[] p = net.params();
        double eps = 1e-6;
        double worst = 0;
        String where = "";
        int checked = 0;
        for (ReferenceNetwork.Block block : net.blocks()) {
            int stride = Math.max(1, block.length() / 40);    // up to ~40 parameters of every weight and bias block
            for (int i = block.offset(); i < block.offset() + block.length(); i += stride) {
                double orig = p[i];
                p[i] = orig + eps;
                double plus = net.gradient(x, y, n, noise);
                p[i] = orig - eps;
                double minus = net.gradient(x, y, n, noise);
                p[i] = orig;
                double numeric = (plus - minus) / (2 * eps);
                double err = Math.abs(analytic[i] - numeric)
                        / Math.max(1e-8, Math.abs(analytic[i]) + Math.abs(numeric));
                if (Math.abs(analytic[i] - numeric) > 1e-9 && err > worst) {
                    worst = err;
                    where = block.name();
                }
                checked++;
            }
        }
        assertTrue(checked > 10, "too few parameters checked");
        assertTrue(worst < 1e-5, text + ": worst relative error " + worst + " in " + where);
    }
}
