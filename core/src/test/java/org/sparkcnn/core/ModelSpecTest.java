package org.sparkcnn.core;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Presets, the text form and its errors, and the refusal of the step activation for training. */
class ModelSpecTest {

    @Test
    void presetsHaveTheDocumentedParameterCounts() {
        assertEquals(431_080, Presets.resolve("lenet").paramCount());
        assertEquals(3_274_634, Presets.resolve("tf-mnist").paramCount());
        assertEquals(Loss.CROSS_ENTROPY, Presets.resolve("lenet").loss());
    }

    @Test
    void textFormRoundTrips() {
        for (String text : new String[]{Presets.LENET, Presets.TF_MNIST,
                "input3x12x12,conv3x3x4:s2:same:tanh:he:bias0.5,avgpool2,flatten,dense7:sigmoid:normal0.01,loss=quadratic"}) {
            ModelSpec spec = ModelSpec.parse(text);
            assertEquals(spec, ModelSpec.parse(spec.toText()), text);
        }
    }

    @Test
    void badTokensAreNamed() {
        assertMessage("bad model spec token 'conv5x5': unknown layer", "conv5x5,softmax10");
        assertMessage("bad model spec token 'dense10:swish': unknown option 'swish'", "dense10:swish");
        assertMessage("bad model spec token 'maxpool2:relu'", "conv3x3x2,maxpool2:relu,softmax10");
        assertMessage("does not fit input", "conv30x30x2,softmax10");
        assertMessage("cannot follow a dense or flatten layer", "dense10,conv1x1x2,softmax10");
        assertMessage("cross-entropy needs a softmax output", "dense10:relu,loss=cross-entropy");
        assertMessage("empty model spec", " ");
    }

    private static void assertMessage(String expected, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void stepActivationRunsForInferenceButIsRefusedForTraining() {
        ModelSpec perceptron = ModelSpec.parse("input1x2x2,dense3:step:uniform1");
        Network net = new Network(perceptron).initialize(1);
        var out = net.output(Nd4j.rand(DataType.FLOAT, 4, 1, 2, 2));
        for (double v : out.ravel().toDoubleVector()) {
            assertTrue(v == 0.0 || v == 1.0);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> net.gradient(Nd4j.rand(DataType.FLOAT, 4, 1, 2, 2), Nd4j.zeros(DataType.FLOAT, 4, 3), 0));
        assertTrue(e.getMessage().contains("derivative zero almost everywhere"));
    }
}
