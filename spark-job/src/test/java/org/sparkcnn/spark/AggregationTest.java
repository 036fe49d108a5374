package org.sparkcnn.spark;

import org.junit.jupiter.api.Test;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.optim.OptimizerConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code --aggregation auto}: the executors where rounds can run as barrier jobs, else by the floats a round would
 * send the driver; explicit choices stay as given.
 */
class AggregationTest {

    static Aggregation auto(String model, int workers, boolean averageState) {
        TrainingPlan plan = new TrainingPlan(Presets.resolve(model), OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV,
                0.01), workers, 5, 0, 64, 1, 1, averageState);
        return new ParameterAveraging(null, plan, Aggregation.AUTO).aggregation();
    }

    @Test
    void withoutBarrierRoundsAutoAveragesOnTheExecutorsFromFourMillionFloatsPerRound() {
        assertEquals(Aggregation.DRIVER, auto("lenet", 1, true));
        assertEquals(Aggregation.DRIVER, auto("lenet", 4, true));          // 4 x 862,160 floats
        assertEquals(Aggregation.EXECUTORS, auto("lenet", 5, true));
        assertEquals(Aggregation.DRIVER, auto("lenet", 9, false));         // 9 x 431,080: state stays per worker
        assertEquals(Aggregation.EXECUTORS, auto("lenet", 10, false));
        assertEquals(Aggregation.DRIVER, auto("tf-mnist", 1, true));
        assertEquals(Aggregation.EXECUTORS, auto("tf-mnist", 2, true));
        assertEquals(Aggregation.DRIVER, Aggregation.DRIVER.resolve(64, 10_000_000, true));
        assertEquals(Aggregation.EXECUTORS, Aggregation.EXECUTORS.resolve(1, 10, false));
    }

    @Test
    void autoAveragesOnTheExecutorsWhereRoundsCanShareBarrierJobs() {
        assertEquals(Aggregation.EXECUTORS, Aggregation.AUTO.resolve(2, 862_160, true));
        assertEquals(Aggregation.DRIVER, Aggregation.AUTO.resolve(2, 862_160, false));
        assertEquals(Aggregation.DRIVER, Aggregation.AUTO.resolve(1, 10_000_000, true));  // one worker: no exchange
    }

    @Test
    void unknownNamesAreRefusedWithTheChoices() {
        assertEquals(Aggregation.EXECUTORS, Aggregation.parse(" Executors "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Aggregation.parse("ring"));
        assertEquals("unknown aggregation 'ring': use driver, executors or auto", e.getMessage());
    }
}
