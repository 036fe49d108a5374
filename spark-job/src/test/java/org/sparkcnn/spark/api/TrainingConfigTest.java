package org.sparkcnn.spark.api;

import org.junit.jupiter.api.Test;
import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.StepTime;
import org.sparkcnn.core.train.Augmentation;
import org.sparkcnn.spark.TrainingPlan;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** TrainingConfig: epoch schedules mean the same for every N, scaling rules, transforms, named errors. */
class TrainingConfigTest {
    static TrainingConfig.Builder cosine() {
        return TrainingConfig.builder().epochs(10).lr(0.1).lrSchedule("cosine").lrWarmupEpochs(2);
    }

    @Test
    void anEpochScheduleGivesTheSameRateAtTheSameEpochPositionForAnyNumberOfWorkers() {
        TrainingConfig c = cosine().build();
        LearningRate one = c.plan(1).optimizer().learningRate();
        LearningRate eight = c.plan(8).optimizer().learningRate();
        for (double e : new double[] {0, 0.5, 1.99, 2, 5.25, 9.9}) {
            // one worker makes 8x the iterations of each of eight workers per epoch
            assertEquals(one.at(new StepTime((long) (e * 800), e)), eight.at(new StepTime((long) (e * 100), e)), 0);
        }
        assertEquals(0.05, one.at(new StepTime(0, 1)), 1e-15);
        assertEquals(0.1, one.at(new StepTime(0, 2)), 1e-15);
    }

    @Test
    void scalingRulesMultiplyTheOneWorkerRate() {
        LearningRate linear = cosine().lrScaling("linear").build().plan(4).optimizer().learningRate();
        LearningRate sqrt = cosine().lrScaling("sqrt").build().plan(4).optimizer().learningRate();
        assertEquals(0.4, linear.at(new StepTime(0, 2)), 1e-15);
        assertEquals(0.2, sqrt.at(new StepTime(0, 2)), 1e-15);
    }

    @Test
    void transformsAndDecayReachThePlanAndTheConfiguration() {
        TrainingConfig c = TrainingConfig.builder().augment("shift2,flip").labelSmoothing(0.1).weightDecay(5e-4)
                .build();
        TrainingPlan p = c.plan(2);
        assertEquals(new Augmentation(2, 0, 0, true), p.transforms().augmentation());
        assertEquals(0.1, p.transforms().labelSmoothing(), 0);
        assertEquals(5e-4, p.optimizer().weightDecay(), 0);
        Map<String, Object> conf = c.configuration("data", 2, 100, "native");
        assertEquals("shift2,flip", conf.get("augment"));
        assertEquals("ITERATION_STEPS", conf.get("lrSchedule"));
    }

    @Test
    void aBadValueNamesItsSetting() {
        assertEquals("lrScaling", assertThrows(ConfigException.class,
                () -> TrainingConfig.builder().lrScaling("cubic").build()).setting());
        assertEquals("lrSchedule", assertThrows(ConfigException.class,
                () -> TrainingConfig.builder().lrSchedule("cosine").epochs(2).lrWarmupEpochs(2).build()).setting());
        assertEquals("augment", assertThrows(ConfigException.class,
                () -> TrainingConfig.builder().augment("shear2").build()).setting());
        assertEquals("labelSmoothing", assertThrows(ConfigException.class,
                () -> TrainingConfig.builder().labelSmoothing(1).build()).setting());
        assertEquals("exchangePrecision", assertThrows(ConfigException.class,
                () -> TrainingConfig.builder().exchangePrecision("bf16").aggregation("driver").build()).setting());
        assertEquals("localSteps", assertThrows(ConfigException.class,
                () -> TrainingConfig.builder().localSteps(0).build()).setting());
    }
}
