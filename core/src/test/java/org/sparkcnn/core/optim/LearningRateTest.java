package org.sparkcnn.core.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Learning-rate schedules: values at chosen times, against the formulas. */
class LearningRateTest {
    @Test
    void iterationStepsCountTheWorkersIterations() {
        LearningRate lr = LearningRate.stepDecay(0.1, 0.5, 10);
        assertEquals(0.1, lr.at(new StepTime(9, 3.5)), 0);
        assertEquals(0.05, lr.at(new StepTime(10, 0)), 0);
        assertEquals(0.025, lr.at(new StepTime(25, 0)), 1e-15);
    }

    @Test
    void warmupRisesLinearlyThenEpochStepsDecay() {
        LearningRate lr = LearningRate.epochSteps(0.4, 0.1, 3, 2);
        assertEquals(0, lr.at(new StepTime(0, 0)), 0);
        assertEquals(0.1, lr.at(new StepTime(7, 0.5)), 1e-15);
        assertEquals(0.3, lr.at(new StepTime(7, 1.5)), 1e-15);
        assertEquals(0.4, lr.at(new StepTime(7, 2.9)), 1e-15);
        assertEquals(0.04, lr.at(new StepTime(7, 3.0)), 1e-15);
        assertEquals(0.004, lr.at(new StepTime(7, 6.2)), 1e-15);
    }

    @Test
    void cosineFallsFromThePeakAfterTheWarmupToZeroAtTheEnd() {
        LearningRate lr = LearningRate.cosine(1.0, 11, 1);
        assertEquals(0.5, lr.at(new StepTime(0, 0.5)), 1e-15);
        assertEquals(1.0, lr.at(new StepTime(0, 1)), 1e-15);
        assertEquals(0.5, lr.at(new StepTime(0, 6)), 1e-12);                   // half-way through the 10 epochs
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.25)), lr.at(new StepTime(0, 3.5)), 1e-12);
        assertEquals(0, lr.at(new StepTime(0, 11)), 1e-15);
        assertEquals(2.0, lr.scaled(2).at(new StepTime(0, 1)), 1e-15);
    }

    @Test
    void inconsistentSchedulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LearningRate.cosine(0.1, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> LearningRate.epochSteps(0.1, 0.5, 0, 0));
        assertEquals(LearningRate.Decay.COSINE, LearningRate.Decay.parse("Cosine"));
        assertThrows(IllegalArgumentException.class, () -> LearningRate.Decay.parse("linear"));
    }
}
