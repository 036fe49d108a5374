package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.spark.data.TrainingData;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One worker runs several rounds per Spark job ({@link ParameterAveraging#ROUNDS_PER_JOB_SECONDS}): the jobs end
 * where a listener needs the model and at each epoch's end, every round is still reported, and the models are
 * bit for bit those of a job per round.
 */
class MultiRoundJobTest {
    static final ModelSpec SPEC = Presets.resolve("conv5x5x4,maxpool2,dense16:relu,dropout0.25,softmax10");
    static JavaSparkContext sc;
    static final AtomicInteger STEP_JOBS = new AtomicInteger();
    static ImageArray data;

    @BeforeAll
    static void start() throws Exception {
        data = ImageArray.load(Path.of("../data/mnist-sample"), true).limit(1000);
        sc = LocalSpark.start("local[2]");
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                String d = start.properties().getProperty("spark.job.description", "");
                if (d.endsWith(": local steps")) {
                    STEP_JOBS.incrementAndGet();
                }
            }
        });
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    /** 1,000 examples, batch 40, τ = 2: 25 batches, so 13 rounds per epoch, the last of one step. */
    static TrainingPlan plan() {
        return new TrainingPlan(SPEC, OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.02), 1, 2, 0, 40, 2, 9,
                true);
    }

    /** Records every round's report, and the model every {@code every} rounds (which it declares). */
    static final class Recorder implements ParameterAveraging.Listener {
        final int every;
        final List<RoundStats> rounds = new ArrayList<>();
        final List<Integer> globalRounds = new ArrayList<>();
        final Map<Integer, TrainingState> models = new TreeMap<>();

        Recorder(int every) {
            this.every = every;
        }

        @Override
        public void onRound(RoundStats stats, RoundEnd next, int roundsInEpoch) {
            rounds.add(stats);
            globalRounds.add(next.globalRound());
            if (next.globalRound() % every == 0) {
                models.put(next.globalRound(), next.state());
            }
        }

        @Override
        public int roundsUntilModelNeeded(int completedRounds) {
            return every - completedRounds % every;
        }
    }

    private static TrainingState run(double jobSeconds, int failRound, ParameterAveraging.Listener listener) {
        TrainingPlan plan = plan();
        float[] init = new Network(SPEC).initialize(3).params().toFloatVector();
        ParameterAveraging pa = new ParameterAveraging(sc, plan, Aggregation.DRIVER, failRound, jobSeconds);
        try (TrainingData d = InMemory.training(sc, data, plan, 1)) {
            return pa.train(d, pa.initialState(init), listener);
        }
    }

    @Test
    void oneWorkerRunsManyRoundsPerJobWithTheSameBits() {
        Recorder perRound = new Recorder(1);
        STEP_JOBS.set(0);
        TrainingState expected = run(0, -1, perRound);
        assertEquals(26, STEP_JOBS.get());

        Recorder grouped = new Recorder(5);
        STEP_JOBS.set(0);
        TrainingState got = run(1e6, -1, grouped);
        // the first job runs one round (no pace yet); then jobs end at rounds 5 and 10 (the listener), 13 (the
        // epoch's end), 15, 20, 25 and 26: 8 jobs for 26 rounds
        assertEquals(8, STEP_JOBS.get());

        assertArrayEquals(expected.params(), got.params());
        assertArrayEquals(expected.states()[0], got.states()[0]);
        assertEquals(expected.iteration(), got.iteration());
        assertEquals(perRound.globalRounds, grouped.globalRounds);
        assertEquals(List.of(5, 10, 15, 20, 25), List.copyOf(grouped.models.keySet()));
        for (Map.Entry<Integer, TrainingState> e : grouped.models.entrySet()) {
            TrainingState want = perRound.models.get(e.getKey());
            assertArrayEquals(want.params(), e.getValue().params(), "model after round " + e.getKey());
            assertEquals(want.iteration(), e.getValue().iteration());
            assertEquals(want.epoch(), e.getValue().epoch());
            assertEquals(want.round(), e.getValue().round());
        }
        for (int i = 0; i < perRound.rounds.size(); i++) {
            RoundStats a = perRound.rounds.get(i);
            RoundStats b = grouped.rounds.get(i);
            assertEquals(a.examples(), b.examples(), "round " + i);
            assertEquals(a.trainLoss(), b.trainLoss(), "round " + i);
            assertTrue(b.wallSeconds() >= b.computeSeconds(), "a round's wall time holds its compute time");
        }
    }

    @Test
    void aRoundInsideAJobHasNoModelToAskFor() {
        ParameterAveraging.Listener asksEveryRound = new ParameterAveraging.Listener() {
            @Override
            public void onRound(RoundStats stats, RoundEnd next, int roundsInEpoch) {
                next.state();
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(1e6, -1, asksEveryRound));
        assertTrue(e.getMessage().contains("roundsUntilModelNeeded"), e.getMessage());
    }
}
