package org.sparkcnn.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.TaskKilled;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.spark.cli.CapturedRun;
import org.sparkcnn.spark.data.TrainingData;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A round slowed far beyond the round timeout (worker 0's first attempt of round 2 waits 60 s after its first step)
 * fails the run within the timeout with a message naming the round, its task is killed promptly, and the context
 * trains on afterwards; a round timeout that does not expire changes no bit.
 */
class RoundTimeoutTest {
    static final String SLOW_ROUND_2 = "1:0:60000";
    static JavaSparkContext sc;
    static final AtomicInteger KILLED = new AtomicInteger();

    @BeforeAll
    static void start() {
        SparkConf conf = EngineConf.apply(new SparkConf().setMaster("local[2]").setAppName("spark-cnn-test"))
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1").set(InjectedDelay.KEY, SLOW_ROUND_2);
        sc = new JavaSparkContext(conf);
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.reason() instanceof TaskKilled) {
                    KILLED.incrementAndGet();
                }
            }
        });
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    static TrainingPlan plan() {
        ModelSpec spec = Presets.resolve("conv5x5x4,maxpool2,dense16:relu,softmax10");
        return new TrainingPlan(spec, OptimizerConfig.of(OptimizerConfig.Kind.SGD, 0.05), 2, 2, 0, 32, 1, 5, true);
    }

    static TrainingData data(TrainingPlan plan) throws java.io.IOException {
        return InMemory.training(sc, ImageArray.load(Path.of("../data/mnist-sample"), true).limit(600), plan, 1);
    }

    @ParameterizedTest
    @EnumSource(value = Aggregation.class, names = {"DRIVER", "EXECUTORS"})
    void aHungRoundFailsTheRunWithinItsTimeout(Aggregation aggregation) throws Exception {
        TrainingPlan plan = plan();
        TrainingData d = data(plan);
        float[] init = new Network(plan.spec()).initialize(5).params().toFloatVector();
        ParameterAveraging pa = new ParameterAveraging(sc, plan, aggregation,
                org.sparkcnn.spark.exchange.ExchangePrecision.FP32, -1, 2);
        KILLED.set(0);
        long began = System.nanoTime();
        RoundTimeoutException e = assertThrows(RoundTimeoutException.class,
                () -> pa.train(d, pa.initialState(init), new ParameterAveraging.Listener() { }));
        double seconds = (System.nanoTime() - began) / 1e9;
        assertTrue(seconds < 10, "the run failed after " + seconds + " s");
        assertEquals("round 2 (round 2/5 of epoch 1) ran longer than the round timeout of 2 s and was cancelled",
                e.getMessage());
        // the slowed task is killed, not left running for its 60 s
        for (int i = 0; i < 100 && (KILLED.get() == 0 || sc.statusTracker().getActiveStageIds().length > 0); i++) {
            Thread.sleep(50);
        }
        assertTrue(KILLED.get() >= 1, "no task was killed");
        assertEquals(0, sc.statusTracker().getActiveStageIds().length, "stages still running");
        assertEquals(null, sc.getLocalProperty("spark.jobGroup.id"), "the round's job group is left behind");

        // the context trains on; a timeout that does not expire gives the same bits as none
        ParameterAveraging bounded = new ParameterAveraging(sc, plan, aggregation,
                org.sparkcnn.spark.exchange.ExchangePrecision.FP32, -1, 60);
        ParameterAveraging unbounded = new ParameterAveraging(sc, plan, aggregation);
        TrainingState a = bounded.train(d, bounded.initialState(init), 1, new ParameterAveraging.Listener() { });
        TrainingState b = unbounded.train(d, unbounded.initialState(init), 1, new ParameterAveraging.Listener() { });
        assertEquals(1, a.globalRound());
        assertArrayEquals(b.params(), a.params());
    }

    @Test
    void theCommandLineReportsTheRoundAndTheTimeoutInOneLine(@TempDir Path out) {
        long began = System.nanoTime();
        CapturedRun run = CapturedRun.of("train", "--master", "local[2]", "--workers", "2",
                "--model", "conv5x5x4,maxpool2,dense16:relu,softmax10", "--train-limit", "600", "--batch", "32",
                "--local-steps", "2", "--epochs", "1", "--progress", "none", "--round-timeout", "3",
                "--conf", InjectedDelay.KEY + "=" + SLOW_ROUND_2, "--out", out.toString());
        String text = run.stderr();
        System.err.println(text);
        assertTrue((System.nanoTime() - began) / 1e9 < 30, "took " + (System.nanoTime() - began) / 1e9 + " s");
        assertEquals(5, run.code(), text);
        assertTrue(text.contains("spark-cnn: error: round 2 (round 2/5 of epoch 1) ran longer than the round timeout "
                + "of 3 s and was cancelled (--round-timeout)"), text);
    }
}
