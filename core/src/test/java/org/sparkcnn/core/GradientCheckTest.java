package org.sparkcnn.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Central-difference gradient checks in double precision: for every parameter θ_i,
 * (L(θ + ε e_i) − L(θ − ε e_i)) / 2ε must match the hand-written backward pass.
 * Each spec exercises different layers, activations, paddings, strides and both losses.
 */
class GradientCheckTest {

    /** The specs checked: every layer, activation and loss, padding and stride, and the kernels' special paths. */
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
            // kernel rows of many channels (long im2col runs), clipped by padding or not
            "input2x6x6,conv1x1x8,conv3x3x3:same:tanh,conv2x2x2:s2,softmax3",
            "input8x7x7,conv3x3x2:s2:same:relu,softmax3",
            "input1x12x12,conv3x3x20,maxpool2,conv3x3x6,avgpool2,softmax3",
            "input2x7x7,conv2x2x3:tanh,maxpool3:s2,softmax3",                 // max pooling beyond 2x2
            "input3x6x6,maxpool2,conv2x2x2:tanh,softmax3"                      // pooling an NCHW input
        );
    }

    @ParameterizedTest
    @MethodSource("specs")
    void analyticGradientMatchesCentralDifferences(String text) {
        ModelSpec spec = ModelSpec.parse(text, WeightInit.parse("uniform0.5"));
        Network net = new Network(spec, DataType.DOUBLE).initialize(7);
        RandomBatch batch = RandomBatch.of(spec, 3, DataType.DOUBLE, 11);
        INDArray x = batch.x();
        INDArray y = batch.y();
        long noise = 99;
        net.gradient(x, y, noise);
        INDArray analytic = net.grads().dup();
        INDArray p = net.params();
        double eps = 1e-6;
        double worst = 0;
        int checked = 0;
        long count = p.length();
        long stride = Math.max(1, count / 400);     // at most ~400 parameters per spec, spread over all layers
        for (long i = 0; i < count; i += stride) {
            double orig = p.getDouble(i);
            p.putScalar(i, orig + eps);
            double plus = net.gradient(x, y, noise);
            p.putScalar(i, orig - eps);
            double minus = net.gradient(x, y, noise);
            p.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * eps);
            double a = analytic.getDouble(i);
            double err = Math.abs(a - numeric) / Math.max(1e-8, Math.abs(a) + Math.abs(numeric));
            if (Math.abs(a - numeric) > 1e-9) {
                worst = Math.max(worst, err);
            }
            checked++;
        }
        assertTrue(checked > 10, "too few parameters checked");
        assertTrue(worst < 1e-5, text + ": worst relative error " + worst);
    }
}
