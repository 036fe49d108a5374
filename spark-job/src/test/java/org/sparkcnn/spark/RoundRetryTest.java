package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.spark.data.TrainingData;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.optim.OptimizerConfig;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task that fails mid-round (after its first local step has changed its cached trainer), or an averaging task that
 * fails after it has summed its slices, is retried by Spark, and the round's result, hence the whole run, is
 * bit-identical to a run without the failure, on either averaging path. A round run as one barrier job is not
 * retried by Spark when a task fails: it runs again as two jobs, with the same result.
 */
class RoundRetryTest {
    static final ModelSpec SPEC = Presets.resolve("conv5x5x4,maxpool2,dense16:relu,dropout0.25,softmax10");
    static JavaSparkContext sc;
    static ImageArray data;
    static final AtomicInteger FAILED_TASKS = new AtomicInteger();

    @BeforeAll
    static void start() throws java.io.IOException {
        data = ImageArray.load(Path.of("../data/mnist-sample"), true).limit(600);
        sc = LocalSpark.start("local[2,4]");                      // local mode with up to 4 attempts per task
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskInfo().failed()) {
                    FAILED_TASKS.incrementAndGet();
                }
            }
        });
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    /** Adam, batch 32, one epoch of the 600 examples, seed 5. */
    static TrainingPlan plan(int workers, int tau) {
        return new TrainingPlan(SPEC, OptimizerConfig.of(OptimizerConfig.Kind.ADAM, 0.002), workers, tau, 0, 32, 1, 5,
                true);
    }

    /** Where the round averages: on the driver, or on the executors in two jobs or in one barrier job. */
    enum Route { DRIVER, EXECUTORS_TWO_JOBS, EXECUTORS_ONE_JOB }

    @ParameterizedTest
    @EnumSource(Route.class)
    void aRetriedRoundGivesBitIdenticalParameters(Route route) throws Exception {
        Aggregation aggregation = route == Route.DRIVER ? Aggregation.DRIVER : Aggregation.EXECUTORS;
        FAILED_TASKS.set(0);
        TrainingPlan plan = plan(2, 3);
        float[] init = new Network(SPEC).initialize(5).params().toFloatVector();
        TrainingData bc = InMemory.training(sc, data, plan, 1);

        ParameterAveraging clean = new ParameterAveraging(sc, plan, Aggregation.DRIVER);
        TrainingState expected = clean.train(bc, clean.initialState(init), new ParameterAveraging.Listener() { });
        assertEquals(0, FAILED_TASKS.get());

        ParameterAveraging faulty = new ParameterAveraging(sc, plan, aggregation,
                org.sparkcnn.spark.exchange.ExchangePrecision.FP32, route == Route.EXECUTORS_ONE_JOB, 1);
        TrainingState got = faulty.train(bc, faulty.initialState(init), new ParameterAveraging.Listener() { });
        // One failed first attempt per worker, and on the executors one per averaging task as well. A failed barrier
        // job (its first task's failure; the other task fails too or is killed) runs the round again as two jobs.
        int failures = route == Route.DRIVER ? 2 : 4;
        int atMost = route == Route.EXECUTORS_ONE_JOB ? failures + 2 : failures;
        if (route == Route.EXECUTORS_ONE_JOB) {
            failures++;
        }
        for (int i = 0; i < 100 && FAILED_TASKS.get() < failures; i++) {
            Thread.sleep(50);                                       // the listener bus is asynchronous
        }
        Thread.sleep(200);
        assertTrue(FAILED_TASKS.get() >= failures && FAILED_TASKS.get() <= atMost, FAILED_TASKS.get()
                + " failed first attempts of round 1, expected " + failures + ".." + atMost);
        assertEquals(expected.globalRound(), got.globalRound());
        assertArrayEquals(expected.params(), got.params());
        for (int s = 0; s < expected.states().length; s++) {
            assertArrayEquals(expected.states()[s], got.states()[s], "optimizer state " + s);
        }
    }

    /**
     * One worker's job of several rounds (the first job runs round 1, the second rounds 2-10): the first attempt of
     * the second job fails in round 4, after two rounds and a step have moved the cached trainer; the retry starts
     * again from the job's broadcast model, with the same bits.
     */
    @org.junit.jupiter.api.Test
    void aRetriedJobOfSeveralRoundsGivesBitIdenticalParameters() throws Exception {
        FAILED_TASKS.set(0);
        TrainingPlan plan = plan(1, 2);
        float[] init = new Network(SPEC).initialize(5).params().toFloatVector();
        TrainingData bc = InMemory.training(sc, data, plan, 1);
        ParameterAveraging clean = new ParameterAveraging(sc, plan, Aggregation.DRIVER, -1, 0);
        TrainingState expected = clean.train(bc, clean.initialState(init), new ParameterAveraging.Listener() { });
        ParameterAveraging faulty = new ParameterAveraging(sc, plan, Aggregation.DRIVER, 3, 1e6);
        TrainingState got = faulty.train(bc, faulty.initialState(init), new ParameterAveraging.Listener() { });
        for (int i = 0; i < 100 && FAILED_TASKS.get() < 1; i++) {
            Thread.sleep(50);                                       // the listener bus is asynchronous
        }
        assertEquals(1, FAILED_TASKS.get());
        assertEquals(expected.iteration(), got.iteration());
        assertArrayEquals(expected.params(), got.params());
        assertArrayEquals(expected.states()[0], got.states()[0]);
    }
}
