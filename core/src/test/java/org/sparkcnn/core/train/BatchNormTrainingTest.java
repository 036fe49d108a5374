package org.sparkcnn.core.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.RandomBatch;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.eval.Evaluator;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.OptimizerConfig;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch normalization in training: where its running statistics live, who moves them, and that it learns. */
class BatchNormTrainingTest {
    static final String SPEC = "input1x28x28,conv5x5x8,batchnorm:relu,maxpool2,dense32,batchnorm:relu,softmax10";

    @Test
    void runningStatisticsAreTheFrozenRangesOfTheFlatVector() {
        ModelSpec spec = ModelSpec.parse(SPEC);
        List<long[]> ranges = spec.statisticsRanges();
        assertEquals(2, ranges.size());
        long conv = 5 * 5 * 8 + 8;
        assertArrayEquals(new long[] {conv + 16, conv + 32}, ranges.get(0));   // after γ [8] and β [8]
        long second = conv + 32 + 12 * 12 * 8 * 32 + 32;
        assertArrayEquals(new long[] {second + 64, second + 128}, ranges.get(1));
        assertEquals(spec, ModelSpec.parse(spec.toText()));
        assertEquals("batchnorm0.3:tanh", ModelSpec.parse("dense4,batchnorm0.3:tanh,softmax2").layers().get(1).token());
    }

    @Test
    void onlyTheNetworkThatOwnsTheParametersMovesTheStatistics() {
        ModelSpec spec = ModelSpec.parse(SPEC);
        Network main = new Network(spec).initialize(3);
        Network replica = Network.replicaOf(main);
        RandomBatch batch = RandomBatch.of(spec, 16, DataType.FLOAT, 4);
        float[] before = main.params().toFloatVector();
        replica.gradient(batch.x(), batch.y(), 1);
        assertArrayEquals(before, main.params().toFloatVector(), "a replica wrote the shared parameters");
        main.gradient(batch.x(), batch.y(), 1);
        float[] after = main.params().toFloatVector();
        for (long[] r : spec.statisticsRanges()) {
            assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(before, (int) r[0], (int) r[1]),
                    java.util.Arrays.copyOfRange(after, (int) r[0], (int) r[1])), "statistics did not move");
        }
        for (long[] r : spec.statisticsRanges()) {
            INDArray g = main.grads().get(NDArrayIndex.interval(r[0], r[1]));
            assertEquals(0.0, g.amaxNumber().doubleValue(), "a running statistic has a gradient");
        }
    }

    /** Every optimizer with L2 and decoupled weight decay: a step changes the running statistics only by what the
     *  training pass wrote, and decays the weights. */
    @Test
    void noOptimizerDecaysOrTrainsTheStatistics() {
        ModelSpec spec = ModelSpec.parse(SPEC);
        RandomBatch batch = RandomBatch.of(spec, 16, DataType.FLOAT, 4);
        for (OptimizerConfig.Kind kind : OptimizerConfig.Kind.values()) {
            OptimizerConfig c = new OptimizerConfig(kind, LearningRate.constant(0.1), 0.9, 0.9, 0.999, 1e-8, 0.01,
                    0.05);
            try (LocalTrainer t = new LocalTrainer(spec, c)) {
                t.network().initialize(3);
                for (int step = 0; step < 3; step++) {
                    Network probe = new Network(spec);
                    probe.params().assign(t.network().params());
                    probe.gradient(batch.x(), batch.y(), 0);     // the statistics this step's pass will write
                    float[] p0 = t.network().params().toFloatVector();
                    t.optimizer().step(t.network().params(), probe.grads(), new org.sparkcnn.core.optim.StepTime(step, 0));
                    float[] p1 = t.network().params().toFloatVector();
                    for (long[] r : spec.statisticsRanges()) {
                        for (int i = (int) r[0]; i < r[1]; i++) {
                            assertEquals(p0[i], p1[i], kind + ": statistic " + i + " moved in the update");
                        }
                    }
                    assertNotEquals(p0[0], p1[0], kind + ": the first conv weight did not move");
                    t.network().params().assign(probe.params());
                }
            }
        }
    }

    /** Two threads: the step uses the first chunk's network for the statistics, and the runs repeat bit for bit. */
    @Test
    void learnsTheSampleAndRepeatsOnTwoThreads() throws Exception {
        ImageArray train = ImageArray.load(Path.of("../data/mnist-sample"), true).limit(2048);
        ImageArray test = ImageArray.load(Path.of("../data/mnist-sample"), false);
        float[][] runs = new float[2][];
        double accuracy = 0;
        for (int r = 0; r < 2; r++) {
            try (LocalTrainer t = new LocalTrainer(ModelSpec.parse(SPEC), OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV,
                    0.05), 2)) {
                t.network().initialize(5);
                t.fit(train, 32, 2, 9, null);
                runs[r] = t.network().params().toFloatVector();
                accuracy = Metrics.of(Evaluator.evaluate(t.network(), test, 0, test.size(), 200)).accuracy();
            }
        }
        assertArrayEquals(runs[0], runs[1]);
        assertTrue(accuracy > 0.9, "accuracy with batch norm after 2 epochs on 2,048 digits: " + accuracy);
    }
}
