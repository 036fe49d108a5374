package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.eval.EvalCounts;
import org.sparkcnn.core.eval.Evaluator;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.core.optim.StepTime;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.core.train.IndexPermutation;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.core.train.Seeds;

import org.sparkcnn.spark.data.Layout;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.data.TrainingData;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The distributed trainer in Spark local mode against the single-process trainer, on real MNIST digits. */
class ParameterAveragingTest {
    static final Path SAMPLE = Path.of("../data/mnist-sample");
    static final ModelSpec SMALL = Presets.resolve("conv5x5x6,maxpool2,dense32:relu,dropout0.25,softmax10");
    static JavaSparkContext sc;
    static ImageArray train;
    static ImageArray test;

    @BeforeAll
    static void start() throws Exception {
        sc = LocalSpark.start("local[2]");
        train = ImageArray.load(SAMPLE, true);
        test = ImageArray.load(SAMPLE, false);
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    private static float[] initial(ModelSpec spec, long seed) {
        return new Network(spec).initialize(seed).params().toFloatVector();
    }

    @Test
    void oneWorkerAveragingEveryStepEqualsSingleProcessSgd() {
        ImageArray data = train.limit(1000);
        OptimizerConfig opt = OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.02);
        TrainingPlan plan = new TrainingPlan(SMALL, opt, 1, 1, 0, 50, 2, 42, true);
        ParameterAveraging pa = new ParameterAveraging(sc, plan);
        TrainingState end;
        try (TrainingData d = InMemory.training(sc, data, plan, 1)) {
            end = pa.train(d, pa.initialState(initial(SMALL, 7)), new ParameterAveraging.Listener() { });
        }

        LocalTrainer single = new LocalTrainer(SMALL, opt);
        single.network().initialize(7);
        single.fit(data, 50, 2, 42, null);
        assertArrayEquals(single.network().params().toFloatVector(), end.params());
        assertEquals(2 * 20, end.iteration());
    }

    @Test
    void oneRoundIsTheExampleWeightedMeanOfIndependentLocalRunsOnContiguousShards() {
        ImageArray data = train.limit(1003);        // shards of 334, 334, 335: unequal weights
        assertOneRoundIsTheWeightedMean(data, 0, w -> {
            int from = DataOrder.shardStart(data.size(), 3, w);
            int[] rows = new int[DataOrder.shardSize(data.size(), 3, w)];
            for (int j = 0; j < rows.length; j++) {
                rows[j] = from + j;
            }
            return data.select(rows);
        });
    }

    @Test
    void oneRoundIsTheExampleWeightedMeanOfIndependentLocalRunsOnReshuffledShards() {
        // reshuffle generation 0: shard w holds the examples whose permuted position falls in its range, in
        // position order
        ImageArray data = train.limit(1003);
        IndexPermutation pi = Layout.shuffled(data.size(), 3, 0).permutation();
        int[] byPosition = new int[data.size()];
        for (int i = 0; i < data.size(); i++) {
            byPosition[(int) pi.apply(i)] = i;
        }
        assertOneRoundIsTheWeightedMean(data, 1, w -> data.select(java.util.Arrays.copyOfRange(byPosition,
                DataOrder.shardStart(data.size(), 3, w), DataOrder.shardStart(data.size(), 3, w + 1))));
    }

    private void assertOneRoundIsTheWeightedMean(ImageArray data, int reshuffleEvery,
                                                 java.util.function.IntFunction<ImageArray> shardOf) {
        int workers = 3;
        int tau = 4;
        int batch = 30;
        OptimizerConfig opt = OptimizerConfig.of(OptimizerConfig.Kind.MOMENTUM, 0.05);
        TrainingPlan plan = new TrainingPlan(SMALL, opt, workers, tau, 0, batch, 1, 3, true);
        ParameterAveraging pa = new ParameterAveraging(sc, plan);
        float[] start = initial(SMALL, 11);
        TrainingState[] after = new TrainingState[1];
        try (TrainingData d = InMemory.training(sc, data, plan, reshuffleEvery)) {
            pa.train(d, pa.initialState(start), 1, new ParameterAveraging.Listener() {
                @Override
                public void onRound(RoundStats stats, RoundEnd next, int rounds) {
                    after[0] = next.state();
                }
            });
        }
        assertEquals(1, after[0].globalRound());

        double[] expected = new double[start.length];
        for (int w = 0; w < workers; w++) {
            ImageArray shard = shardOf.apply(w);
            int[] order = DataOrder.shardPermutation(shard.size(), 3, 0, w);
            LocalTrainer t = new LocalTrainer(SMALL, opt);
            t.network().params().assign(Nd4j.createFromArray(start));
            long examples = 0;
            for (int b = 0; b < tau; b++) {
                int count = Math.min(batch, shard.size() - b * batch);
                t.step(shard, order, b * batch, count,
                        StepTime.of(b, 0, b, DataOrder.batches(shard.size(), batch)), Seeds.mix(3, 0, w, b));
                examples += count;
            }
            float[] p = t.network().params().toFloatVector();
            for (int i = 0; i < p.length; i++) {
                expected[i] += p[i] * (double) examples / (workers * tau * batch);
            }
        }
        float[] got = after[0].params();
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 1e-6, "parameter " + i);
        }
    }

    @Test
    void mergedConfusionMatrixEqualsSingleProcessEvaluation() {
        float[] params = initial(Presets.resolve("lenet"), 5);
        Shards shards = InMemory.shards(sc, test, 3, 10);
        EvalCounts distributed = DistributedEvaluation.evaluate(sc, Presets.resolve("lenet"), params, shards);
        shards.release();
        Network net = new Network(Presets.resolve("lenet"));
        net.params().assign(Nd4j.createFromArray(params));
        EvalCounts single = Evaluator.evaluate(net, test, 0, test.size(), 250);
        assertArrayEquals(single.confusion(), distributed.confusion());
        Metrics m = Metrics.of(distributed);
        long total = 0;
        long diagonal = 0;
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 10; j++) {
                total += distributed.confusion()[i][j];
            }
            diagonal += distributed.confusion()[i][i];
        }
        assertEquals(test.size(), total);
        assertEquals((double) diagonal / total, m.accuracy(), 1e-12);
    }

    @Test
    void lenetOnTwoWorkersReaches97PercentOnTheSample() {
        ModelSpec lenet = Presets.resolve("lenet");
        TrainingPlan plan = new TrainingPlan(lenet, OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.02), 2, 5, 0,
                64, 4, 1, true);
        ParameterAveraging pa = new ParameterAveraging(sc, plan);
        long began = System.nanoTime();
        TrainingState end;
        try (TrainingData d = InMemory.training(sc, train, plan, 1)) {
            end = pa.train(d, pa.initialState(initial(lenet, 1)), new ParameterAveraging.Listener() { });
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        Metrics m = Metrics.of(DistributedEvaluation.evaluate(sc, lenet, end.params(), InMemory.shards(sc, test, 2, 10)));
        System.out.printf("lenet local[2], 2 workers, tau 5, 4 epochs: %.1f s, test accuracy %.4f%n", seconds,
                m.accuracy());
        assertTrue(m.accuracy() >= 0.97, "test accuracy " + m.accuracy());
    }
}
