package org.sparkcnn.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.spark.data.TrainingData;
import org.sparkcnn.spark.exchange.SliceBlocks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Averaging on the executors gives the driver's bits: for N = 1..8, with the optimizer state averaged or kept per
 * worker, across epoch ends and reshuffles; after lost exchange blocks too. What reaches the driver per round is
 * measured with Spark's own task metrics.
 */
class ExecutorAveragingTest {
    static final ModelSpec SPEC = Presets.resolve("conv3x3x4,maxpool2,dense16:relu,dropout0.25,softmax10");
    static JavaSparkContext sc;
    static ImageArray data;

    @BeforeAll
    static void start() throws java.io.IOException {
        sc = LocalSpark.start("local[2,4]");                      // up to 4 attempts per task
        data = ImageArray.load(Path.of("../data/mnist-sample"), true).limit(480);
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    static TrainingPlan plan(int workers, boolean averageState) {
        return new TrainingPlan(SPEC, OptimizerConfig.of(OptimizerConfig.Kind.ADAM, 0.003), workers, 2, 0, 16, 2, 7,
                averageState);
    }

    /** Bytes the driver received from the last run's rounds (local steps and averaging), from Spark's metrics. */
    static long roundBytes;

    static TrainingState run(TrainingPlan plan, Aggregation aggregation, ParameterAveraging.Listener listener) {
        DriverTraffic traffic = DriverTraffic.attach(sc);
        ParameterAveraging pa = new ParameterAveraging(sc, plan, aggregation);
        assertEquals(aggregation, pa.aggregation());
        float[] init = new Network(SPEC, DataType.FLOAT).initialize(3).params().toFloatVector();
        try (TrainingData d = InMemory.training(sc, data, plan, 1)) {
            return pa.train(d, pa.initialState(init), listener);
        } finally {
            Map<String, Long> bytes = traffic.bytesByKind();
            roundBytes = bytes.getOrDefault("local steps", 0L) + bytes.getOrDefault("averaging", 0L);
            traffic.detach();
        }
    }

    static void assertSameModel(TrainingState expected, TrainingState got) {
        assertEquals(expected.globalRound(), got.globalRound());
        assertEquals(expected.iteration(), got.iteration());
        assertArrayEquals(expected.params(), got.params(), "parameters");
        assertEquals(expected.states().length, got.states().length);
        for (int s = 0; s < expected.states().length; s++) {
            assertArrayEquals(expected.states()[s], got.states()[s], "optimizer state " + s);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void executorAveragingGivesTheDriversBits(int workers) {
        for (boolean averageState : new boolean[]{true, false}) {
            TrainingPlan plan = plan(workers, averageState);
            TrainingState driver = run(plan, Aggregation.DRIVER, new ParameterAveraging.Listener() { });
            TrainingState executors = run(plan, Aggregation.EXECUTORS, new ParameterAveraging.Listener() { });
            assertTrue(driver.globalRound() >= 4, "several rounds over two epochs");
            assertSameModel(driver, executors);
        }
    }

    @Test
    void lostExchangeBlocksAreReplayedFromTheLastModelWithTheSameBits() {
        TrainingPlan plan = plan(3, false);
        TrainingState expected = run(plan, Aggregation.DRIVER, new ParameterAveraging.Listener() { });
        List<Integer> reported = new ArrayList<>();
        TrainingState got = run(plan, Aggregation.EXECUTORS, new ParameterAveraging.Listener() {
            @Override
            public void onRound(RoundStats stats, RoundEnd next, int roundsInEpoch) {
                reported.add(stats.round());
                if (next.globalRound() == expected.globalRound() - 2) {
                    SliceBlocks.removeAll();                 // as if every executor were lost between two rounds
                }
            }
        });
        assertSameModel(expected, got);
        List<Integer> once = new ArrayList<>();
        for (int r = 0; r < expected.globalRound(); r++) {
            once.add(r);
        }
        assertEquals(once, reported, "every round reported once, replayed rounds not again");
    }

    @Test
    void anExecutorKeepsATrainerPerTaskSlotNotPerWorker() {
        List<Integer> idle = new ArrayList<>();
        run(plan(8, true), Aggregation.EXECUTORS, new ParameterAveraging.Listener() {
            @Override
            public void onEpochEnd(int epoch, RoundEnd next) {
                idle.add(WorkerCache.idleTrainers());
            }
        });
        assertEquals(2, idle.size());
        for (int n : idle) {
            assertTrue(n >= 1 && n <= 2, "8 workers in waves on 2 task slots left " + n + " trainers");
        }
        assertEquals(0, WorkerCache.idleTrainers(), "the run's trainers are released at its end");
    }

    @Test
    void theDriverReceivesReportsNotVectorsWhenExecutorsAverage() {
        int workers = 4;
        long vectorBytes = 4L * (SPEC.paramCount() + 2L * SPEC.paramCount());      // parameters and Adam's state
        TrainingPlan plan = plan(workers, true);
        TrainingState end = run(plan, Aggregation.DRIVER, new ParameterAveraging.Listener() { });
        long driverPath = roundBytes;
        run(plan, Aggregation.EXECUTORS, new ParameterAveraging.Listener() { });
        long executorPath = roundBytes;
        int rounds = end.globalRound();
        assertTrue(driverPath >= rounds * workers * vectorBytes, "driver path: " + driverPath + " bytes");
        assertTrue(executorPath <= rounds * 2L * workers * 4096, "executor path: " + executorPath + " bytes in "
                + rounds + " rounds (a few KB per task)");
    }

    @Test
    void driverAveragingAboveTheResultSizeLimitIsRefusedBeforeTraining() {
        SparkConf conf = new SparkConf().set("spark.driver.maxResultSize", "1m");
        TrainingPlan lenet = new TrainingPlan(Presets.resolve("lenet"), OptimizerConfig.of(OptimizerConfig.Kind.ADAM,
                0.001), 8, 5, 0, 64, 1, 1, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ParameterAveraging(sc, lenet, Aggregation.DRIVER).checkDriverLimits(conf));
        assertTrue(e.getMessage().contains("spark.driver.maxResultSize") && e.getMessage().contains("--aggregation "
                + "executors"), e.getMessage());
        new ParameterAveraging(sc, lenet, Aggregation.EXECUTORS).checkDriverLimits(conf);
    }
}
