package org.sparkcnn.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;


import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float kernels against the double ones ({@link GradientCheckTest} checks the double path): on the same
 * parameters and data, a float network's loss and gradient must match a double network's up to float rounding.
 */
class FloatPathTest {

    /** The gradient check's specs, and full-size LeNet (too large for central differences). */
    static Stream<String> specs() {
        return Stream.concat(GradientCheckTest.specs(),
                Stream.of("input1x28x28,conv5x5x20,maxpool2,conv5x5x50,maxpool2,dense500:relu,softmax10"));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void floatGradientMatchesDouble(String text) {
        ModelSpec spec = ModelSpec.parse(text, WeightInit.parse("uniform0.5"));
        Network d = new Network(spec, DataType.DOUBLE).initialize(7);
        Network f = new Network(spec, DataType.FLOAT);
        f.params().assign(d.params().castTo(DataType.FLOAT));
        d.params().assign(f.params().castTo(DataType.DOUBLE));      // both on the same float-representable values
        RandomBatch batch = RandomBatch.of(spec, 5, DataType.FLOAT, 11);
        INDArray x = batch.x();
        INDArray y = batch.y();
        double lossD = d.gradient(x.castTo(DataType.DOUBLE), y.castTo(DataType.DOUBLE), 3);
        double lossF = f.gradient(x, y, 3);
        assertEquals(lossD, lossF, 1e-4 * Math.max(1, Math.abs(lossD)), text + ": loss");
        INDArray gd = d.grads();
        INDArray gf = f.grads().castTo(DataType.DOUBLE);
        double scale = gd.amaxNumber().doubleValue();
        double worst = gf.sub(gd).amaxNumber().doubleValue() / scale;
        assertTrue(scale > 0 && worst < 1e-4, text + ": worst gradient difference " + worst + " of " + scale);
    }
}
