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
import org.sparkcnn.spark.exchange.SliceBlocks;

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
    /** RDD blocks an executor removed and reported (exchange blocks removed inside jobs: the driver's are silent). */
    static ImageArray data;

    @BeforeAll
    static void start() throws Exception {
        data = ImageArray.load(Path.of("../data/mnist-sample"), true).limit(1000);
        sc = LocalSpark.start("local[2]");
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                String d = start.properties().getProperty("spark.job.description", "");
                if (d.endsWith(": local steps") || d.endsWith(": " + ExecutorAveraging.ONE_JOB)) {
                    STEP_JOBS.incrementAndGet();
                }
            }

        });
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    /**
     * 1,000 examples, batch 40, τ = 2: one worker has 25 batches, so 13 rounds per epoch, the last of one step; two
     * have 13 each, so 7 rounds.
     */
    static TrainingPlan plan(int workers) {
        return new TrainingPlan(SPEC, OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.02), workers, 2, 0, 40, 2,
                9, true);
    }

    /** Records every round's report, and the model every {@code every} rounds (which it declares). */
    static class Recorder implements ParameterAveraging.Listener {
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
        return run(1, Aggregation.DRIVER, jobSeconds, failRound, listener);
    }

    private static TrainingState run(int workers, Aggregation aggregation, double jobSeconds, int failRound,
                                     ParameterAveraging.Listener listener) {
        TrainingPlan plan = plan(workers);
        float[] init = new Network(SPEC).initialize(3).params().toFloatVector();
        ParameterAveraging pa = new ParameterAveraging(sc, plan, aggregation, failRound, jobSeconds);
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
        long borrowedBefore = WorkerCache.borrowed();
        TrainingState got = run(1e6, -1, grouped);
        // the first job runs one round (no pace yet); then jobs end at rounds 5 and 10 (the listener), 13 (the
        // epoch's end), 15, 20, 25 and 26: 8 jobs for 26 rounds
        assertEquals(8, STEP_JOBS.get());
        assertEquals(8, WorkerCache.borrowed() - borrowedBefore, "trainers borrowed: one per task, not per round");

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

    /**
     * Two workers averaging on the executors: rounds of one barrier job each, or many rounds per barrier job, give
     * the same bits; and after every job only the last round's averaged model is left in the block managers (the
     * tasks and the driver removed every other round's blocks).
     */
    @Test
    void twoWorkersRunManyRoundsPerBarrierJobWithTheSameBits() throws InterruptedException {
        STEP_JOBS.set(0);
        TrainingState expected = run(2, Aggregation.EXECUTORS, 0, -1, new Recorder(1));
        assertEquals(14, STEP_JOBS.get());

        List<Integer> leftAfterJobs = new ArrayList<>();
        Recorder grouped = new Recorder(4) {
            @Override
            public void onRound(RoundStats stats, RoundEnd next, int roundsInEpoch) {
                super.onRound(stats, next, roundsInEpoch);
                if (next.globalRound() % every == 0) {
                    leftAfterJobs.add(exchangeBlocks(2));
                }
            }
        };
        STEP_JOBS.set(0);
        long removedBefore = SliceBlocks.localRemovals();
        long borrowedBefore = WorkerCache.borrowed();
        TrainingState got = run(2, Aggregation.EXECUTORS, 1e6, -1, grouped);
        // rounds 1 (no pace yet), 2-4, 5-7 (the epoch's end), 8, 9-12, 13-14
        assertEquals(6, STEP_JOBS.get());
        assertEquals(12, WorkerCache.borrowed() - borrowedBefore, "trainers borrowed: one per barrier task");
        // inside a job of G rounds, after each round but the last: the round's 4 worker slices, and from the second
        // on the 2 averaged slices of the round before: 4(G-1) + 2(G-2) for G = 3, 3, 4 and 2
        assertEquals(40, SliceBlocks.localRemovals() - removedBefore);
        assertArrayEquals(expected.params(), got.params());
        assertArrayEquals(expected.states()[0], got.states()[0]);
        assertEquals(expected.iteration(), got.iteration());
        assertEquals(List.of(2, 2, 2), leftAfterJobs, "exchange blocks left after the jobs ending at rounds 4, 8, 12");
    }

    /**
     * Exchange blocks (blocks of RDD ids that are no cached RDD) the block managers hold, once the count has settled
     * at {@code expected} or after 3 s.
     */
    private static int exchangeBlocks(int expected) {
        int count = -1;
        for (int i = 0; i < 60 && count != expected; i++) {
            if (i > 0) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            java.util.Set<Object> cached = new java.util.HashSet<>(sc.getPersistentRDDs().keySet());
            scala.collection.Iterator<org.apache.spark.storage.BlockId> ids = org.apache.spark.SparkEnv.get()
                    .blockManager().master().getMatchingBlockIds(new scala.runtime.AbstractFunction1<
                            org.apache.spark.storage.BlockId, Object>() {
                        @Override
                        public Object apply(org.apache.spark.storage.BlockId id) {
                            return id.isRDD();
                        }
                    }, true).iterator();                           // the executors' stores, not the master's view
            count = 0;
            while (ids.hasNext()) {
                org.apache.spark.storage.RDDBlockId id = (org.apache.spark.storage.RDDBlockId) ids.next();
                if (!cached.contains(id.rddId())) {
                    count++;
                }
            }
        }
        return count;
    }
}
