package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.core.train.LocalTrainer;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A worker whose task has two cores ({@code spark.task.cpus=2}) splits every minibatch over two threads: with one
 * worker averaging every step it trains exactly as the single-process two-thread trainer does.
 */
class MultiCoreWorkerTest {
    static final ModelSpec SPEC = Presets.resolve("conv5x5x6,maxpool2,dense32:relu,softmax10");

    @Test
    void aTwoCoreWorkerEqualsTheTwoThreadTrainer() throws Exception {
        ImageArray data = ImageArray.load(Path.of("../data/mnist-sample"), true).limit(700);
        OptimizerConfig opt = OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.02);
        float[] start = new Network(SPEC).initialize(3).params().toFloatVector();
        TrainingPlan plan = new TrainingPlan(SPEC, opt, 1, 1, 0, 50, 1, 42, true);
        TrainingState end;
        JavaSparkContext sc = LocalSpark.start("local[2]", 2);
        try {
            ParameterAveraging pa = new ParameterAveraging(sc, plan);
            end = pa.train(InMemory.training(sc, data, plan, 1), pa.initialState(start), new ParameterAveraging.Listener() { });
        } finally {
            sc.stop();
        }
        try (LocalTrainer two = new LocalTrainer(SPEC, opt, 2)) {
            two.network().initialize(3);
            two.fit(data, 50, 1, 42, null);
            assertArrayEquals(two.network().params().toFloatVector(), end.params());
        }
        assertEquals(14, end.iteration());
    }
}
