package org.sparkcnn.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory a spec declares, counted by hand, and the limit that refuses a huge one. */
class ModelMemoryTest {

    @Test
    void countsParametersAndOneExamplesActivations() {
        // input 784; conv 4x24x24 = 2304 outputs, 4·25+4 = 104 parameters; pool 4x12x12 = 576;
        // dense16 576·16+16 = 9232 parameters, 16 outputs; softmax10 16·10+10 = 170 parameters, 10 outputs
        ModelSpec spec = ModelSpec.parse("conv5x5x4,maxpool2,dense16:relu,softmax10");
        assertEquals(4L * (784 + 104 + 2304 + 576 + 9232 + 16 + 170 + 10), ModelMemory.bytes(spec));
    }

    @Test
    void countsBeyondTwoGigabytesWithoutOverflow() {
        // 2·10^9 activations in one layer, each shape under an int's reach, 8·10^9 bytes in all
        ModelSpec spec = ModelSpec.parse("input1x1000x1000,conv1x1x2000,maxpool1000,softmax10");
        long values = 1_000_000L + 4000 + 2_000_000_000L + 2000 + 20010 + 10;
        assertEquals(4 * values, ModelMemory.bytes(spec));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelMemory.check(spec));
        assertEquals("the model needs 7.5 GiB for its parameters and one example's activations, more than the limit "
                + "of 1.0 GiB (-Dsparkcnn.maxModelBytes raises it)", e.getMessage());
    }

    @Test
    void thePropertyRaisesTheLimit() {
        ModelSpec spec = ModelSpec.parse("input1x1000x1000,conv1x1x300,maxpool1000,softmax10");   // 1.1 GiB
        assertThrows(IllegalArgumentException.class, () -> ModelMemory.check(spec));
        System.setProperty(ModelMemory.LIMIT_PROPERTY, "2g");
        try {
            assertEquals(2L << 30, ModelMemory.limit());
            ModelMemory.check(spec);
        } finally {
            System.clearProperty(ModelMemory.LIMIT_PROPERTY);
        }
        assertEquals(ModelMemory.DEFAULT_LIMIT, ModelMemory.limit());
    }

    @Test
    void aBadLimitIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelMemory.parseBytes("lots"));
        assertTrue(e.getMessage().startsWith("-Dsparkcnn.maxModelBytes=lots: not a positive size"), e.getMessage());
        assertEquals(64L << 10, ModelMemory.parseBytes("64K"));
    }
}
