package org.sparkcnn.core;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tests' random batches are a function of their seed. */
class RandomBatchTest {
    private static final ModelSpec SPEC = ModelSpec.parse("input2x5x5,conv3x3x2,softmax4");

    @Test
    void theSameSeedGivesTheSameBatchAndAnotherSeedAnother() {
        RandomBatch a = RandomBatch.of(SPEC, 6, DataType.DOUBLE, 11);
        RandomBatch b = RandomBatch.of(SPEC, 6, DataType.DOUBLE, 11);
        RandomBatch c = RandomBatch.of(SPEC, 6, DataType.DOUBLE, 12);
        assertArrayEquals(a.x().data().asDouble(), b.x().data().asDouble());
        assertArrayEquals(a.y().data().asDouble(), b.y().data().asDouble());
        assertFalse(java.util.Arrays.equals(a.x().data().asDouble(), c.x().data().asDouble()));
        assertArrayEquals(new long[]{6, 2, 5, 5}, a.x().shape());
        assertTrue(a.x().minNumber().doubleValue() >= -0.3 && a.x().maxNumber().doubleValue() < 0.7);
        assertEquals(6.0, a.y().sumNumber().doubleValue());
    }
}
