package org.sparkcnn.core.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.MnistDataset;
import org.sparkcnn.core.eval.EvalCounts;
import org.sparkcnn.core.eval.Evaluator;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.optim.OptimizerConfig;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single-process minibatch loop on real MNIST digits. */
class LocalTrainerTest {
    static final Path SAMPLE = Path.of("../data/mnist-sample");

    @Test
    void lenetLearnsTheSampleInOneEpoch() throws Exception {
        MnistDataset train = MnistDataset.load(SAMPLE, true);
        MnistDataset test = MnistDataset.load(SAMPLE, false);
        LocalTrainer trainer = new LocalTrainer(Presets.resolve("lenet"),
                OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.01));
        trainer.network().initialize(1);
        long began = System.nanoTime();
        trainer.fit(train, 64, 1, 1, null);
        double seconds = (System.nanoTime() - began) / 1e9;
        Metrics m = Metrics.of(Evaluator.evaluate(trainer.network(), test, 0, test.size(), 200));
        System.out.printf("lenet 1 epoch on %d digits: %.1f s (%.0f img/s), test accuracy %.4f%n", train.size(),
                seconds, train.size() / seconds, m.accuracy());
        assertTrue(m.accuracy() > 0.90, "accuracy after one epoch: " + m.accuracy());
        assertEquals(test.size(), m.examples());
    }

    @Test
    void sameSeedGivesBitIdenticalParameters() throws Exception {
        MnistDataset train = MnistDataset.load(SAMPLE, true).limit(640);
        float[][] runs = new float[2][];
        for (int r = 0; r < 2; r++) {
            LocalTrainer t = new LocalTrainer(Presets.resolve("conv5x5x4,maxpool2,dense16:relu,dropout0.2,softmax10"),
                    OptimizerConfig.of(OptimizerConfig.Kind.ADAM, 0.001));
            t.network().initialize(5);
            t.fit(train, 32, 1, 9, null);
            runs[r] = t.network().params().toFloatVector();
        }
        assertArrayEquals(runs[0], runs[1]);
    }

    @Test
    void evaluationCountsAddUp() throws Exception {
        MnistDataset test = MnistDataset.load(SAMPLE, false);
        Network net = new Network(Presets.resolve("lenet"), DataType.FLOAT).initialize(3);
        EvalCounts whole = Evaluator.evaluate(net, test, 0, test.size(), 128);
        EvalCounts parts = Evaluator.evaluate(net, test, 0, 300, 64).plus(Evaluator.evaluate(net, test, 300, 1000, 100));
        assertArrayEquals(whole.confusion(), parts.confusion());
        assertEquals(test.size(), whole.examples());
        assertEquals(whole.lossSum(), parts.lossSum(), 1e-3 * whole.lossSum());
    }
}
