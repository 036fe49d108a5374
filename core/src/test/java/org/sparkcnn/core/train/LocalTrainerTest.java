package org.sparkcnn.core.train;

import org.sparkcnn.core.optim.StepTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.eval.EvalCounts;
import org.sparkcnn.core.eval.Evaluator;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.OptimizerConfig;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single-process minibatch loop on real MNIST digits. */
class LocalTrainerTest {
    static final Path SAMPLE = Path.of("../data/mnist-sample");

    @Test
    void lenetLearnsTheSampleInOneEpoch() throws Exception {
        ImageArray train = ImageArray.load(SAMPLE, true);
        ImageArray test = ImageArray.load(SAMPLE, false);
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

    /** The second spec's second convolution has 32 input channels: it runs on oneDNN (ConvKernel). */
    @ParameterizedTest(name = "{0} on {1} threads")
    @CsvSource({"'conv5x5x4,maxpool2,dense16:relu,dropout0.2,softmax10', 1",
            "'conv3x3x32:same,maxpool2,conv3x3x6:same:relu,maxpool2,dense16:relu,dropout0.2,softmax10', 1",
            "'conv3x3x32:same,maxpool2,conv3x3x6:same:relu,maxpool2,dense16:relu,dropout0.2,softmax10', 2"})
    void sameSeedGivesBitIdenticalParameters(String spec, int threads) throws Exception {
        ImageArray train = ImageArray.load(SAMPLE, true).limit(640);
        float[][] runs = new float[2][];
        for (int r = 0; r < 2; r++) {
            try (LocalTrainer t = new LocalTrainer(Presets.resolve(spec),
                    OptimizerConfig.of(OptimizerConfig.Kind.ADAM, 0.001), threads)) {
                t.network().initialize(5);
                t.fit(train, 32, 1, 9, null);
                runs[r] = t.network().params().toFloatVector();
            }
        }
        assertArrayEquals(runs[0], runs[1]);
    }

    /**
     * A step on 2 or 3 threads (the minibatch cut into chunks, chunk gradients combined by size) computes the
     * single-threaded gradient up to float rounding: same loss, same gradient, so the same parameters after a few
     * steps; batches of 64 on 3 threads (uneven chunks), 17 (two chunks of 8 and 9) and 7 and 1 (too small to
     * split: one chunk) included.
     */
    @Test
    void splitBatchGradientEqualsTheSingleThreadedOne() throws Exception {
        ImageArray train = ImageArray.load(SAMPLE, true).limit(300);
        var spec = Presets.resolve("conv5x5x6,maxpool2,conv3x3x8:relu,avgpool2,dense32:tanh,softmax10");
        int[] order = DataOrder.permutation(train.size(), 4, 0);
        OptimizerConfig nesterov = OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.05);
        OptimizerConfig adam = OptimizerConfig.of(OptimizerConfig.Kind.ADAM, 0.002);
        OptimizerConfig adamL2 = new OptimizerConfig(adam.kind(), adam.learningRate(), adam.momentum(), adam.beta1(),
                adam.beta2(), adam.epsilon(), 1e-3);
        OptimizerConfig adamW = new OptimizerConfig(adam.kind(), LearningRate.cosine(0.002, 1, 0.1), adam.momentum(),
                adam.beta1(), adam.beta2(), adam.epsilon(), 0, 0.05);
        BatchTransforms augmented = new BatchTransforms(Augmentation.parse("shift2,rotate10,scale0.1"), 0.1);
        for (int threads : new int[]{2, 3}) {
            for (OptimizerConfig opt : new OptimizerConfig[]{nesterov, adamL2}) {
                compareSteps(train, spec, order, opt, threads, BatchTransforms.NONE);
            }
            compareSteps(train, spec, order, adamW, threads, augmented);   // each example augmented alike
        }
        // a second convolution of 32 input channels: oneDNN's kernels on every thread
        var oneDnn = Presets.resolve("conv3x3x32:same,maxpool2,conv3x3x8:relu,avgpool2,dense32:tanh,softmax10");
        compareSteps(train, oneDnn, order, nesterov, 2, BatchTransforms.NONE);
    }

    private static void compareSteps(ImageArray train, ModelSpec spec, int[] order, OptimizerConfig opt,
                                     int threads, BatchTransforms transforms) {
        try (LocalTrainer one = new LocalTrainer(spec, opt, 1, transforms);
             LocalTrainer many = new LocalTrainer(spec, opt, threads, transforms)) {
            assertEquals(threads, many.threads());
            one.network().initialize(8);
            many.network().initialize(8);
            int[] batches = {64, 7, 1, 17, 33};
            int from = 0;
            for (int s = 0; s < batches.length; s++) {
                double a = one.step(train, order, from, batches[s], new StepTime(s, 0.1 * s), s);
                double b = many.step(train, order, from, batches[s], new StepTime(s, 0.1 * s), s);
                assertEquals(a, b, 1e-5 * Math.abs(a), "loss of step " + s + " on " + threads + " threads");
                assertClose(one.network().grads().toFloatVector(), many.network().grads().toFloatVector(), 2e-4);
                from += batches[s];
            }
            assertClose(one.network().params().toFloatVector(), many.network().params().toFloatVector(), 1e-4);
        }
    }

    /** A split step whose loss becomes NaN or infinite throws, as the single-threaded step does. */
    @Test
    void splitBatchDivergenceIsReported() throws Exception {
        ImageArray train = ImageArray.load(SAMPLE, true).limit(640);
        try (LocalTrainer t = new LocalTrainer(Presets.resolve("conv5x5x4,maxpool2,dense16:relu,softmax10"),
                OptimizerConfig.of(OptimizerConfig.Kind.SGD, 1e9), 2)) {
            t.network().initialize(1);
            assertThrows(LocalTrainer.DivergedException.class, () -> t.fit(train, 64, 1, 1, null));
        }
    }

    /** max |a - b| <= tol · max |a|, and the arrays are not all zero. */
    private static void assertClose(float[] a, float[] b, double tol) {
        assertEquals(a.length, b.length);
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        assertTrue(scale > 0, "all zero");
        assertTrue(diff <= tol * scale, "max difference " + diff + " against max magnitude " + scale);
    }

    @Test
    void evaluationCountsAddUp() throws Exception {
        ImageArray test = ImageArray.load(SAMPLE, false);
        Network net = new Network(Presets.resolve("lenet")).initialize(3);
        EvalCounts whole = Evaluator.evaluate(net, test, 0, test.size(), 128);
        EvalCounts parts = Evaluator.evaluate(net, test, 0, 300, 64).plus(Evaluator.evaluate(net, test, 300, 1000, 100));
        assertArrayEquals(whole.confusion(), parts.confusion());
        assertEquals(test.size(), whole.examples());
        assertEquals(whole.lossSum(), parts.lossSum(), 1e-3 * whole.lossSum());
    }
}
