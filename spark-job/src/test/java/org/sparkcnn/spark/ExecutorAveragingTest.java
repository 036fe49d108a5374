package org.sparkcnn.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.spark.data.TrainingData;
import org.sparkcnn.spark.exchange.Bfloat16;
import org.sparkcnn.spark.exchange.ExchangePrecision;
import org.sparkcnn.spark.exchange.SliceBlocks;
import org.sparkcnn.spark.exchange.Traffic;
import org.sparkcnn.core.eval.Evaluator;
import org.sparkcnn.core.eval.Metrics;
import org.nd4j.linalg.factory.Nd4j;

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
 * worker, across epoch ends and reshuffles, with rounds of one barrier job or of two jobs; after lost exchange blocks
 * too. An exchange in bf16 trains about as
 * well, in half the bytes. What reaches the driver per round is
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
        return run(plan, aggregation, ExchangePrecision.FP32, listener);
    }

    static TrainingState run(TrainingPlan plan, Aggregation aggregation, ExchangePrecision precision,
                             ParameterAveraging.Listener listener) {
        return run(plan, aggregation, precision, true, listener);
    }

    /** Kinds of the last run's jobs, by their descriptions ("local steps", "averaging", ...). */
    static java.util.Set<String> jobKinds;

    static TrainingState run(TrainingPlan plan, Aggregation aggregation, ExchangePrecision precision,
                             boolean barrierRounds, ParameterAveraging.Listener listener) {
        DriverTraffic traffic = DriverTraffic.attach(sc);
        ParameterAveraging pa = new ParameterAveraging(sc, plan, aggregation, precision, barrierRounds, -1);
        assertEquals(aggregation, pa.aggregation());
        float[] init = new Network(SPEC).initialize(3).params().toFloatVector();
        try (TrainingData d = InMemory.training(sc, data, plan, 1)) {
            return pa.train(d, pa.initialState(init), listener);
        } finally {
            Map<String, Long> bytes = traffic.bytesByKind();
            roundBytes = bytes.getOrDefault("local steps", 0L) + bytes.getOrDefault("averaging", 0L)
                    + bytes.getOrDefault(ExecutorAveraging.ONE_JOB, 0L);
            jobKinds = bytes.keySet();
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

    /**
     * Both kinds of executor round give the driver's bits: one barrier job per round where every worker has one of
     * the 2 task slots (N ≤ 2), two jobs per round when barrier rounds are off or N exceeds the slots. Up to
     * {@link org.sparkcnn.spark.exchange.SliceBlocks#FETCHES_IN_FLIGHT} workers an averaging task sums all of a
     * slice's blocks in one pass; beyond, it adds them one by one (9 and 12 workers).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12})
    void executorAveragingGivesTheDriversBits(int workers) {
        for (boolean averageState : new boolean[]{true, false}) {
            TrainingPlan plan = plan(workers, averageState);
            TrainingState driver = run(plan, Aggregation.DRIVER, new ParameterAveraging.Listener() { });
            assertTrue(driver.globalRound() >= 4, "several rounds over two epochs");
            for (boolean barrier : new boolean[]{true, false}) {
                TrainingState executors = run(plan, Aggregation.EXECUTORS, ExchangePrecision.FP32, barrier,
                        new ParameterAveraging.Listener() { });
                boolean oneJob = barrier && workers <= 2;
                assertEquals(oneJob, jobKinds.contains(ExecutorAveraging.ONE_JOB), "one-job rounds: " + jobKinds);
                assertEquals(!oneJob, jobKinds.contains("averaging"), "two-job rounds: " + jobKinds);
                assertSameModel(driver, executors);
            }
        }
    }

    /** With 3 workers the rounds run as two jobs, with 2 as one barrier job each. */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void lostExchangeBlocksAreReplayedFromTheLastModelWithTheSameBits(int workers) {
        TrainingPlan plan = plan(workers, false);
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

    static double accuracy(float[] params) throws java.io.IOException {
        ImageArray test = ImageArray.load(Path.of("../data/mnist-sample"), false);
        Network net = new Network(SPEC);
        net.params().assign(Nd4j.createFromArray(params));
        return Metrics.of(Evaluator.evaluate(net, test, 0, test.size(), 250)).accuracy();
    }

    static double distance(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
        }
        return Math.sqrt(d);
    }

    @Test
    void bf16ExchangeTrainsAboutAsWellAsFp32AndReplaysWithTheSameBits() throws java.io.IOException {
        TrainingPlan plan = plan(3, true);
        float[] init = new Network(SPEC).initialize(3).params().toFloatVector();
        TrainingState fp32 = run(plan, Aggregation.EXECUTORS, new ParameterAveraging.Listener() { });
        TrainingState bf16 = run(plan, Aggregation.EXECUTORS, ExchangePrecision.BF16,
                new ParameterAveraging.Listener() { });
        double change = distance(fp32.params(), init);
        double error = distance(bf16.params(), fp32.params());
        double accFp32 = accuracy(fp32.params());
        double accBf16 = accuracy(bf16.params());
        System.out.printf(java.util.Locale.ROOT, "bf16 vs fp32: |change| %.4f, |bf16 - fp32| %.5f, accuracy %.4f vs "
                + "%.4f%n", change, error, accBf16, accFp32);
        assertTrue(error > 0, "bf16 rounds the exchange");
        assertTrue(error < 0.05 * change, "bf16 moved the model by " + error + " against a change of " + change);
        assertTrue(accFp32 > 0.4, "fp32 accuracy (10 classes, 480 examples) " + accFp32);
        assertEquals(accFp32, accBf16, 0.03, "bf16 accuracy");
        TrainingState replayed = run(plan, Aggregation.EXECUTORS, ExchangePrecision.BF16,
                new ParameterAveraging.Listener() {
                    @Override
                    public void onRound(RoundStats stats, RoundEnd next, int roundsInEpoch) {
                        if (next.globalRound() == fp32.globalRound() - 2) {
                            SliceBlocks.removeAll();
                        }
                    }
                });
        assertSameModel(bf16, replayed);
    }

    @Test
    void bf16RoundsOfOneBarrierJobGiveTheBitsOfTwoJobs() {
        TrainingPlan plan = plan(2, true);
        TrainingState twoJobs = run(plan, Aggregation.EXECUTORS, ExchangePrecision.BF16, false,
                new ParameterAveraging.Listener() { });
        TrainingState oneJob = run(plan, Aggregation.EXECUTORS, ExchangePrecision.BF16, true,
                new ParameterAveraging.Listener() { });
        assertTrue(jobKinds.contains(ExecutorAveraging.ONE_JOB), "one-job rounds: " + jobKinds);
        assertSameModel(twoJobs, oneJob);
    }

    /**
     * Barrier rounds in local mode leave no thread that would keep the JVM alive after main returns (Spark 3.5's
     * barrier timer is not a daemon: {@link BarrierTimer}); MemoryStabilityTest's child JVM hung on it.
     */
    @Test
    void barrierRoundsLeaveNoNonDaemonThreadBehind() throws InterruptedException {
        run(plan(2, true), Aggregation.EXECUTORS, ExchangePrecision.FP32, true, new ParameterAveraging.Listener() { });
        assertTrue(jobKinds.contains(ExecutorAveraging.ONE_JOB), "one-job rounds: " + jobKinds);
        List<String> left = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!t.isDaemon() && t.getName().toLowerCase(java.util.Locale.ROOT).contains("barrier")) {
                t.join(10_000);                            // a cancelled Timer's thread ends soon after
                if (t.isAlive()) {
                    left.add(t.getName());
                }
            }
        }
        assertEquals(List.of(), left, "non-daemon threads left by barrier rounds");
    }

    @Test
    void bf16BlocksAreReadInHalfTheBytes() {
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i) * 1e-3f;
        }
        int group = SliceBlocks.newGroup(sc);
        try {
            SliceBlocks.put(group, 0, v);
            SliceBlocks.put(group, 1, v, ExchangePrecision.BF16);
            Traffic fp32 = new Traffic();
            Traffic bf16 = new Traffic();
            assertArrayEquals(v, SliceBlocks.get(group, 0, "fp32 block", fp32));
            float[] got = SliceBlocks.get(group, 1, ExchangePrecision.BF16, "bf16 block", bf16);
            assertEquals(4000, fp32.localBytes());
            assertEquals(2000, bf16.localBytes());
            for (int i = 0; i < v.length; i++) {
                assertEquals(Bfloat16.toFloat(Bfloat16.round(v[i])), got[i]);
                assertEquals(v[i], got[i], Math.abs(v[i]) / 256);
            }
        } finally {
            SliceBlocks.remove(group);
        }
    }

    @Test
    void bf16IsRefusedOnTheDriverPathAndTakesTheExecutorsOnAuto() {
        TrainingPlan plan = plan(2, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ParameterAveraging(sc, plan, Aggregation.DRIVER, ExchangePrecision.BF16, -1));
        assertTrue(e.getMessage().startsWith("--exchange-precision bf16") && e.getMessage().contains("--aggregation "
                + "executors"), e.getMessage());
        assertEquals(ExecutorAveraging.barrierAllowed(sc) ? Aggregation.EXECUTORS : Aggregation.DRIVER,
                new ParameterAveraging(sc, plan, Aggregation.AUTO).aggregation());
        assertEquals(Aggregation.EXECUTORS, new ParameterAveraging(sc, plan, Aggregation.AUTO, ExchangePrecision.BF16,
                -1).aggregation());
    }
}
