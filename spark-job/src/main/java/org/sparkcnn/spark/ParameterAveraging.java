package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.data.TrainingData;
import scala.reflect.ClassTag$;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Local SGD with periodic parameter averaging (McMahan et al. 2017; Lin et al. 2020). Every round:
 * broadcast the parameters → each of N workers runs τ local steps on its cached shard (one task per shard, where
 * the shard is cached) → collect → average, weighted by the examples each processed, in worker order (so the sum,
 * and the model, are the same run after run).
 */
public final class ParameterAveraging {

    /** Hooks the driver calls between rounds (progress, checkpoints, per-epoch evaluation). */
    public interface Listener {
        default void onRound(RoundStats stats, TrainingState next, int roundsInEpoch) { }

        default void onEpochEnd(int epoch, TrainingState next) { }
    }

    private final JavaSparkContext sc;
    private final TrainingPlan plan;
    private final int failFirstAttemptOfRound;

    public ParameterAveraging(JavaSparkContext sc, TrainingPlan plan) {
        this(sc, plan, -1);
    }

    /** With a test-only fault: the first attempt of every task of global round {@code failRound} throws. */
    public ParameterAveraging(JavaSparkContext sc, TrainingPlan plan, int failRound) {
        this.sc = sc;
        this.plan = plan;
        this.failFirstAttemptOfRound = failRound;
    }

    /** The starting state for fresh parameters and zero optimizer state. */
    public TrainingState initialState(float[] params) {
        int stateLength = (int) Math.max(1, plan.optimizer().stateSize(params.length));
        float[][] states = new float[plan.averageUpdater() ? 1 : plan.workers()][stateLength];
        return new TrainingState(0, 0, 0, 0, params, states);
    }

    /** Rounds in {@code epoch} for a training set of {@code n} examples. */
    public int roundsIn(int epoch, int n) {
        int largestShard = DataOrder.shardStart(n, plan.workers(), 1);
        for (int w = 1; w < plan.workers(); w++) {
            largestShard = Math.max(largestShard,
                    DataOrder.shardStart(n, plan.workers(), w + 1) - DataOrder.shardStart(n, plan.workers(), w));
        }
        int tau = plan.localStepsAt(epoch);
        return (DataOrder.batches(largestShard, plan.batchSize()) + tau - 1) / tau;
    }

    /** Trains from {@code start} to the end of the last epoch; returns the final state. */
    public TrainingState train(TrainingData data, TrainingState start, Listener listener) {
        return train(data, start, 0, listener);
    }

    /**
     * Trains from {@code start} to the end of the last epoch, or until {@code maxRounds} rounds have run in all
     * (0: no limit); returns the final state.
     */
    public TrainingState train(TrainingData data, TrainingState start, int maxRounds, Listener listener) {
        String runId = UUID.randomUUID().toString();
        int n = Math.toIntExact(data.size());
        TrainingState s = start;
        try {
            while (s.epoch() < plan.epochs() && (maxRounds <= 0 || s.globalRound() < maxRounds)) {
                int rounds = roundsIn(s.epoch(), n);
                if (s.round() >= rounds) {
                    listener.onEpochEnd(s.epoch(), s);
                    s = new TrainingState(s.epoch() + 1, 0, s.globalRound(), s.iteration(), s.params(), s.states());
                    continue;
                }
                long began = System.nanoTime();
                int tau = plan.localStepsAt(s.epoch());
                Shards shards = data.shardsFor(s.epoch());
                RoundTask task = new RoundTask(s.globalRound(), s.epoch(), s.round(), tau, s.iteration(), s.params(),
                        s.states());
                Broadcast<RoundTask> bc = sc.broadcast(task);
                sc.setJobDescription(String.format(Locale.ROOT, "round %d/%d of epoch %d: local steps",
                        s.round() + 1, rounds, s.epoch() + 1));
                List<WorkerResult> results = runRound(shards,
                        new LocalSgd(runId, plan, shards.shape(), bc, failFirstAttemptOfRound));
                sc.setJobDescription(null);
                bc.destroy();
                refuseDivergence(s, results);
                long averaging = System.nanoTime();
                TrainingState next = average(s, results);
                long ended = System.nanoTime();
                listener.onRound(stats(s, results, (ended - began) / 1e9, (ended - averaging) / 1e9), next, rounds);
                s = next;
            }
            return s;
        } finally {
            WorkerCache.release(runId);
        }
    }

    /**
     * One Spark job of one task per shard. The job runs the named function directly on the cached shards
     * ({@code SparkContext.runJob}) rather than through {@code map(...).collect()}: that builds no RDD per round and
     * skips the closure cleaner, which re-reads class files for every Scala lambda (a few ms per job, and rounds
     * take ~100 ms).
     */
    private List<WorkerResult> runRound(Shards shards, LocalSgd localSgd) {
        Object results = sc.sc().runJob(shards.rdd().rdd(), localSgd, ClassTag$.MODULE$.apply(WorkerResult.class));
        return Arrays.asList((WorkerResult[]) results);
    }

    /** Throws {@link LocalTrainer.DivergedException} when a worker's loss became NaN or infinite in the round. */
    private static void refuseDivergence(TrainingState s, List<WorkerResult> results) {
        for (WorkerResult r : results) {
            if (!Double.isFinite(r.lossSum())) {
                throw new LocalTrainer.DivergedException("the training loss became NaN or infinite in round "
                        + (s.globalRound() + 1) + " (worker " + r.worker() + ", iteration " + (s.iteration() + r.steps())
                        + "): training diverged; lower the learning rate");
            }
        }
    }

    /** The example-weighted mean of the workers' parameters (and state), summed in worker order. */
    TrainingState average(TrainingState s, List<WorkerResult> results) {
        long total = 0;
        int maxSteps = 0;
        for (WorkerResult r : results) {
            total += r.examples();
            maxSteps = Math.max(maxSteps, r.steps());
        }
        float[] params = weightedMean(results, total, true);
        float[][] states;
        if (plan.averageUpdater()) {
            states = new float[][]{weightedMean(results, total, false)};
        } else {
            states = new float[results.size()][];
            for (WorkerResult r : results) {
                states[r.worker()] = r.state();
            }
        }
        return new TrainingState(s.epoch(), s.round() + 1, s.globalRound() + 1, s.iteration() + maxSteps, params,
                states);
    }

    private static float[] weightedMean(List<WorkerResult> results, long total, boolean params) {
        int len = (params ? results.get(0).params() : results.get(0).state()).length;
        double[] sum = new double[len];
        for (WorkerResult r : results) {
            double w = total == 0 ? 1.0 / results.size() : (double) r.examples() / total;
            float[] v = params ? r.params() : r.state();
            for (int i = 0; i < len; i++) {
                sum[i] += w * v[i];
            }
        }
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            out[i] = (float) sum[i];
        }
        return out;
    }

    private static RoundStats stats(TrainingState s, List<WorkerResult> results, double wall, double aggregate) {
        long examples = 0;
        double lossSum = 0;
        double compute = 0;
        for (WorkerResult r : results) {
            examples += r.examples();
            lossSum += r.lossSum();
            compute = Math.max(compute, r.computeSeconds());
        }
        return new RoundStats(s.globalRound(), s.epoch(), examples, examples == 0 ? 0 : lossSum / examples, compute,
                Math.max(0, wall - compute), wall, aggregate);
    }
}
