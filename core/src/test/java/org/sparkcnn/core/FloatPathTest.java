package org.sparkcnn.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float kernels against the double ones ({@link GradientCheckTest} checks the double path): on the same
 * parameters and data, a float network's loss and gradient must match a double network's up to float rounding.
 */
class FloatPathTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "input2x7x7,conv3x3x3:tanh,maxpool2,dense5:sigmoid,softmax4",
        "input1x6x6,conv3x3x2:s2:same:relu,avgpool2,softmax3",
        "input1x6x6,conv4x4x2:same:sigmoid,conv3x3x2:s2,softmax3",
        "input3x5x5,conv2x2x2:sigmoid,maxpool2:s1,softmax3",
        "input2x8x8,conv3x3x4:relu,avgpool3:s2,dense3:identity,loss=quadratic",
        "input2x6x6,conv1x1x8,conv3x3x3:same:tanh,conv2x2x2:s2,softmax3",
        "input8x7x7,conv3x3x2:s2:same:relu,softmax3",
        "input1x12x12,conv3x3x20,maxpool2,conv3x3x6,avgpool2,softmax3",
        "input2x7x7,conv2x2x3:tanh,maxpool3:s2,softmax3",
        "input3x6x6,maxpool2,conv2x2x2:tanh,softmax3",
        "input1x28x28,conv5x5x20,maxpool2,conv5x5x50,maxpool2,dense500:relu,softmax10",
    })
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
