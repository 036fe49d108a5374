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

/**
 * A task that fails mid-round (after its first local step has changed its cached trainer), or an averaging task that
 * fails after it has summed its slices, is retried by Spark, and the round's result, hence the whole run, is
 * bit-identical to a run without the failure, on either averaging path.
 */
class RoundRetryTest {
    static JavaSparkContext sc;
    static final AtomicInteger FAILED_TASKS = new AtomicInteger();

    @BeforeAll
    static void start() {
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

    @ParameterizedTest
    @EnumSource(value = Aggregation.class, names = {"DRIVER", "EXECUTORS"})
    void aRetriedRoundGivesBitIdenticalParameters(Aggregation aggregation) throws Exception {
        FAILED_TASKS.set(0);
        ModelSpec spec = Presets.resolve("conv5x5x4,maxpool2,dense16:relu,dropout0.25,softmax10");
        ImageArray data = ImageArray.load(Path.of("../data/mnist-sample"), true).limit(600);
        TrainingPlan plan = new TrainingPlan(spec, OptimizerConfig.of(OptimizerConfig.Kind.ADAM, 0.002), 2, 3, 0, 32,
                1, 5, true);
        float[] init = new Network(spec).initialize(5).params().toFloatVector();
        TrainingData bc = InMemory.training(sc, data, plan, 1);

        ParameterAveraging clean = new ParameterAveraging(sc, plan, Aggregation.DRIVER);
        TrainingState expected = clean.train(bc, clean.initialState(init), new ParameterAveraging.Listener() { });
        assertEquals(0, FAILED_TASKS.get());

        ParameterAveraging faulty = new ParameterAveraging(sc, plan, aggregation, 1);
        TrainingState got = faulty.train(bc, faulty.initialState(init), new ParameterAveraging.Listener() { });
        // One failed first attempt per worker, and on the executors one per averaging task as well.
        int failures = aggregation == Aggregation.DRIVER ? 2 : 4;
        for (int i = 0; i < 100 && FAILED_TASKS.get() < failures; i++) {
            Thread.sleep(50);                                       // the listener bus is asynchronous
        }
        assertEquals(failures, FAILED_TASKS.get(), "failed first attempts of round 1");
        assertEquals(expected.globalRound(), got.globalRound());
        assertArrayEquals(expected.params(), got.params());
        for (int s = 0; s < expected.states().length; s++) {
            assertArrayEquals(expected.states()[s], got.states()[s], "optimizer state " + s);
        }
    }
}
