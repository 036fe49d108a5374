package org.sparkcnn.core.layers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparkcnn.core.Activation;
import org.sparkcnn.core.OneDnn;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.WeightInit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which convolutions run on oneDNN: by input channels, by whether the op can express the padding, and by request. */
class ConvKernelTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(ConvKernel.PROPERTY);
    }

    private static boolean oneDnn(int channels, int kernel, int stride, boolean same) {
        Conv2dSpec spec = new Conv2dSpec(kernel, kernel, 8, stride, same, Activation.RELU, WeightInit.parse("xavier"), 0);
        Shape in = new Shape(channels, 14, 14);
        return ConvKernel.choose(spec, in, spec.outputShape(in)).oneDnn();
    }

    @Test
    void manyInputChannelsRunOnOneDnnFewOnIm2col() {
        assertTrue(OneDnn.loaded(), "the test JVM should load ND4J's oneDNN build");
        assertTrue(oneDnn(ConvKernel.MIN_CHANNELS, 5, 1, true));
        assertTrue(oneDnn(64, 3, 2, false));
        assertFalse(oneDnn(ConvKernel.MIN_CHANNELS - 1, 5, 1, true));
        assertFalse(oneDnn(1, 5, 1, false));
    }

    @Test
    void paddingTheOpCannotExpressStaysOnIm2col() {
        // "same" with an even kernel pads one more after than before; the op pads symmetrically
        assertFalse(oneDnn(64, 4, 1, true));
        // stride 2 "same" on 14 rows: 7 outputs need 1 row of padding (3x3), all of it after the last row
        assertFalse(oneDnn(64, 3, 2, true));
        // odd kernels, stride 1, "same": the padding is symmetric
        assertTrue(oneDnn(64, 3, 1, true));
        assertTrue(oneDnn(64, 5, 1, true));
    }

    @Test
    void thePropertyForcesEitherKernel() {
        System.setProperty(ConvKernel.PROPERTY, "onednn");
        assertTrue(oneDnn(1, 5, 1, false));
        assertFalse(oneDnn(64, 4, 1, true), "still im2col where the op cannot express the padding");
        System.setProperty(ConvKernel.PROPERTY, "im2col");
        assertFalse(oneDnn(64, 5, 1, true));
        System.setProperty(ConvKernel.PROPERTY, "fast");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> oneDnn(64, 5, 1, true));
        assertEquals("sparkcnn.conv.kernel must be auto, im2col or onednn, not fast", e.getMessage());
    }
}
