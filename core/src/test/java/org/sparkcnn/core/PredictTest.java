package org.sparkcnn.core;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Network#predict}: raw outputs, probabilities and classes agree with output() and score(). */
class PredictTest {
    @Test
    void softmaxModelGivesLogitsTheirSoftmaxAndTheScoredClasses() {
        ModelSpec spec = Presets.resolve("input1x8x8,conv3x3x4:relu,maxpool2,dense12:relu,softmax5");
        Network net = new Network(spec).initialize(3);
        RandomBatch b = RandomBatch.of(spec, 9, DataType.FLOAT, 4);
        Network.Prediction p = net.predict(b.x());
        INDArray out = net.output(b.x()).dup();
        assertArrayEquals(out.ravel().toFloatVector(), p.probabilities().ravel().toFloatVector(), 1e-6f);
        assertArrayEquals(net.score(b.x(), b.y()).predicted().toLongVector(), p.predicted().toLongVector());
        for (int i = 0; i < 9; i++) {
            float[] z = p.raw().getRow(i).toFloatVector();
            double max = Double.NEGATIVE_INFINITY;
            for (float v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : z) {
                sum += Math.exp(v - max);
            }
            for (int k = 0; k < z.length; k++) {
                assertEquals(Math.exp(z[k] - max) / sum, p.probabilities().getDouble(i, k), 1e-6);
            }
        }
    }

    @Test
    void modelWithoutSoftmaxNormalisesItsClippedOutputs() {
        ModelSpec spec = Presets.resolve("input1x6x6,dense8:tanh,dense4:tanh");
        Network net = new Network(spec).initialize(5);
        RandomBatch b = RandomBatch.of(spec, 7, DataType.FLOAT, 6);
        Network.Prediction p = net.predict(b.x());
        assertArrayEquals(net.output(b.x()).dup().ravel().toFloatVector(), p.raw().ravel().toFloatVector());
        for (int i = 0; i < 7; i++) {
            float[] z = p.raw().getRow(i).toFloatVector();
            double sum = 0;
            for (float v : z) {
                sum += Math.max(0, v);
            }
            for (int k = 0; k < z.length; k++) {
                double expected = sum > 0 ? Math.max(0, z[k]) / sum : 1.0 / z.length;
                assertEquals(expected, p.probabilities().getDouble(i, k), 1e-6);
            }
        }
    }
}
