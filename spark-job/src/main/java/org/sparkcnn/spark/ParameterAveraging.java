package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.data.TrainingData;
import org.sparkcnn.spark.exchange.ExchangePrecision;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Local SGD with periodic parameter averaging (McMahan et al. 2017; Lin et al. 2020). Every round: each of N workers
 * runs τ local steps on its cached shard (one task per shard, where the shard is cached) → the workers' vectors are
 * averaged, weighted by the examples each processed, in worker order (so the sum, and the model, are the same run
 * after run) — on the driver or on the executors ({@link Aggregation}), with the same bits either way.
 */
public final class ParameterAveraging {
    private static final Logger LOG = LoggerFactory.getLogger(ParameterAveraging.class);
    /**
     * Spark setting (default true): on the executor path, a round whose N workers all have a task slot at once runs
     * as one barrier job instead of two ({@link ExecutorAveraging}); false always runs two. The model is the same.
     */
    public static final String BARRIER_ROUNDS = "spark.cnn.aggregation.barrier";
    /**
     * Spark setting (default {@value #DEFAULT_JOB_SECONDS}): where a path can run several rounds as one Spark job
     * ({@link Averaging#maxRoundsPerJob}), the seconds of rounds it aims a job at ({@link JobPace}); 0 runs a job per
     * round, as a round timeout does (it bounds each round). The model is the same either way.
     */
    public static final String ROUNDS_PER_JOB_SECONDS = "spark.cnn.rounds.jobSeconds";
    static final double DEFAULT_JOB_SECONDS = 2.0;
    /** Replays of lost rounds allowed in one run before the failure is reported. */
    static final int MAX_REPLAYS = 3;

    /** Hooks the driver calls between rounds (progress, checkpoints, per-epoch evaluation). */
    public interface Listener {
        default void onRound(RoundStats stats, RoundEnd next, int roundsInEpoch) { }

        default void onEpochEnd(int epoch, RoundEnd next) { }

        /**
         * The most rounds that may run, after {@code completedRounds} rounds, before {@link #onRound} asks for the
         * model ({@link RoundEnd#state}): rounds run as one Spark job where the path allows it
         * ({@link #ROUNDS_PER_JOB_SECONDS}), and only a job's last round has its model. Default: never asks.
         */
        default int roundsUntilModelNeeded(int completedRounds) {
            return Integer.MAX_VALUE;
        }
    }

    private final JavaSparkContext sc;
    private final TrainingPlan plan;
    private final Aggregation aggregation;
    private final ExchangePrecision precision;
    private final int failFirstAttemptOfRound;
    private final long roundTimeoutSeconds;
    private final boolean barrierRounds;
    private final double jobSeconds;

    public ParameterAveraging(JavaSparkContext sc, TrainingPlan plan) {
        this(sc, plan, Aggregation.DRIVER, -1);
    }

    public ParameterAveraging(JavaSparkContext sc, TrainingPlan plan, Aggregation aggregation) {
        this(sc, plan, aggregation, -1);
    }

    /**
     * With a test-only fault: the first attempt of every task of global round {@code failRound} (local steps and,
     * on the executors, averaging) throws.
     */
    public ParameterAveraging(JavaSparkContext sc, TrainingPlan plan, Aggregation aggregation, int failRound) {
        this(sc, plan, aggregation, ExchangePrecision.FP32, failRound);
    }

    /**
     * With the exchange stored in {@code precision}. bf16 exists only on the executors: with it {@code auto} takes
     * the executor path, and {@link Aggregation#DRIVER} is refused.
     */
    public ParameterAveraging(JavaSparkContext sc, TrainingPlan plan, Aggregation aggregation,
                              ExchangePrecision precision, int failRound) {
        this(sc, plan, aggregation, precision, failRound, 0);
    }

    /**
     * With a bound on each round's time: a round still running after {@code roundTimeoutSeconds} (0: no bound) is
     * cancelled and the run fails with a {@link RoundTimeoutException} ({@link RoundWatchdog}).
     */
    public ParameterAveraging(JavaSparkContext sc, TrainingPlan plan, Aggregation aggregation,
                              ExchangePrecision precision, int failRound, long roundTimeoutSeconds) {
        this(sc, plan, aggregation, precision, true, failRound, roundTimeoutSeconds, Double.NaN);
    }

    /** With one-job rounds allowed or not (for tests). */
    ParameterAveraging(JavaSparkContext sc, TrainingPlan plan, Aggregation aggregation, ExchangePrecision precision,
                       boolean barrierRounds, int failRound) {
        this(sc, plan, aggregation, precision, barrierRounds, failRound, 0, Double.NaN);
    }

    /** With the seconds a job of several rounds aims at ({@link #ROUNDS_PER_JOB_SECONDS}), for tests. */
    ParameterAveraging(JavaSparkContext sc, TrainingPlan plan, Aggregation aggregation, int failRound,
                       double jobSeconds) {
        this(sc, plan, aggregation, ExchangePrecision.FP32, true, failRound, 0, jobSeconds);
    }

    private ParameterAveraging(JavaSparkContext sc, TrainingPlan plan, Aggregation aggregation,
                               ExchangePrecision precision, boolean barrierRounds, int failRound,
                               long roundTimeoutSeconds, double jobSeconds) {
        if (roundTimeoutSeconds < 0) {
            throw new IllegalArgumentException("the round timeout must be 0 (none) or positive, got "
                    + roundTimeoutSeconds);
        }
        this.roundTimeoutSeconds = roundTimeoutSeconds;
        this.sc = sc;
        this.jobSeconds = Double.isNaN(jobSeconds) && sc != null
                ? sc.getConf().getDouble(ROUNDS_PER_JOB_SECONDS, DEFAULT_JOB_SECONDS) : jobSeconds;
        if (this.jobSeconds < 0) {
            throw new IllegalArgumentException(ROUNDS_PER_JOB_SECONDS + " must be 0 (a job per round) or positive, got "
                    + this.jobSeconds);
        }
        this.barrierRounds = barrierRounds;
        this.plan = plan;
        if (precision == ExchangePrecision.BF16 && aggregation == Aggregation.DRIVER) {
            throw new IllegalArgumentException("--exchange-precision bf16 rounds what executors exchange; the driver "
                    + "path exchanges nothing between executors: use --aggregation executors (or auto)");
        }
        this.aggregation = precision == ExchangePrecision.BF16 ? Aggregation.EXECUTORS : aggregation.resolve(
                plan.workers(), plan.spec().paramCount() + (plan.averageUpdater() ? stateLength() : 0L),
                barrierRounds && sc != null && ExecutorAveraging.barrierAllowed(sc));
        this.precision = precision;
        this.failFirstAttemptOfRound = failRound;
    }

    /**
     * Refuses, before training, a run whose driver averaging would collect more per round than
     * {@code spark.driver.maxResultSize} allows (Spark would abort the job in the first round).
     */
    public void checkDriverLimits(org.apache.spark.SparkConf conf) {
        long limit = conf.getSizeAsBytes("spark.driver.maxResultSize", "1g");
        long perWorker = 4L * (plan.spec().paramCount() + stateLength());
        long perRound = perWorker * plan.workers();
        if (aggregation == Aggregation.DRIVER && limit > 0 && perRound > limit) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "averaging on the driver collects %d "
                    + "workers x %.1f MB = %.0f MB per round, above spark.driver.maxResultSize (%.0f MB): use "
                    + "--aggregation executors, or raise spark.driver.maxResultSize", plan.workers(), perWorker / 1e6,
                    perRound / 1e6, limit / 1e6));
        }
    }

    /**
     * Refuses, before training, a run that one executor certainly cannot hold in a round: its trainers (one per task
     * slot) and what the round's exchange keeps on its heap ({@link ExecutorFootprint}) against
     * {@code spark.executor.memory} and JavaCPP's off-heap limits ({@link ExecutorLimits}). Local masters are not
     * checked (their executor is the driver's JVM). Exchange blocks beyond the executor's storage memory spill to
     * disk, with a warning.
     */
    public void checkExecutorLimits(org.apache.spark.SparkConf conf) {
        String master = conf.get("spark.master", "local");
        if (master.equals("local") || master.startsWith("local[")) {
            return;
        }
        ExecutorLimits limits = ExecutorLimits.of(conf);
        ExecutorFootprint f = ExecutorFootprint.of(plan, aggregation, stateLength(), limits.slots(),
                limits.workersOnBusiest(plan.workers()));
        limits.check(f, String.format(Locale.ROOT, "a round of %d workers averaging on the %s", plan.workers(),
                aggregation == Aggregation.EXECUTORS ? "executors" : "driver"));
        double storage = (limits.heapBytes() - ExecutorLimits.SPARK_RESERVED)
                * conf.getDouble("spark.memory.fraction", 0.6);
        if (f.blockBytes() > storage) {
            LOG.warn("an executor keeps at least {} MB of exchange blocks per round, more than its storage memory "
                    + "({} MB): Spark spills them to local disk; raise spark.executor.memory to keep them in memory",
                    f.blockBytes() / 1_000_000, (long) storage / 1_000_000);
        }
    }

    /** How the executors store what they exchange. */
    public ExchangePrecision precision() {
        return precision;
    }

    /** The averaging path this run takes. */
    public Aggregation aggregation() {
        return aggregation;
    }

    /** Floats of optimizer state per worker (at least one, so that every state is a real vector). */
    public int stateLength() {
        return (int) Math.max(1, plan.optimizer().stateSize(plan.spec().paramCount()));
    }

    /** The starting state for fresh parameters and zero optimizer state. */
    public TrainingState initialState(float[] params) {
        float[][] states = new float[plan.averageUpdater() ? 1 : plan.workers()][stateLength()];
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
     * <p>
     * The driver keeps the last model it has held — the start, every epoch end, every model a listener fetched — as
     * the point a replay starts from: when executors are lost with exchange blocks (executor averaging), the rounds
     * since that point are run again, silently and with the same bits, and training continues.
     */
    public TrainingState train(TrainingData data, TrainingState start, int maxRounds, Listener listener) {
        String runId = UUID.randomUUID().toString();
        int n = Math.toIntExact(data.size());
        LocalSgd sgd = new LocalSgd(runId, plan, data.shardsFor(start.epoch()).shape(), failFirstAttemptOfRound);
        try (RoundWatchdog watchdog = new RoundWatchdog(sc, roundTimeoutSeconds);
             Averaging avg = aggregation == Aggregation.EXECUTORS
                ? new ExecutorAveraging(sc, sgd, start.params().length, stateLength(), precision, barrierRounds,
                        failFirstAttemptOfRound)
                : new DriverAveraging(sc, sgd)) {
            avg.restart(start.vectors());
            JobPace pace = new JobPace(roundTimeoutSeconds > 0 ? 0 : jobSeconds);   // a bound per round: a job each
            TrainingState replayFrom = start;
            TrainingState s = start;                       // position; its vectors are those of replayFrom
            int reported = start.globalRound();            // rounds up to this one were reported
            int endReported = -1;                          // epochs up to this one had their end reported
            int replays = 0;
            while (true) {
                try {
                    if (s.epoch() >= plan.epochs() || (maxRounds > 0 && s.globalRound() >= maxRounds)) {
                        return new RoundEnd(s.epoch(), s.round(), s.globalRound(), s.iteration(), avg::collect)
                                .state();
                    }
                    int rounds = roundsIn(s.epoch(), n);
                    if (s.round() >= rounds) {
                        RoundEnd end = new RoundEnd(s.epoch(), s.round(), s.globalRound(), s.iteration(),
                                avg::collect);
                        if (s.globalRound() >= reported && s.epoch() > endReported) {
                            listener.onEpochEnd(s.epoch(), end);
                            endReported = s.epoch();
                        }
                        TrainingState atEnd = end.state();  // an epoch end is always a replay point
                        s = new TrainingState(s.epoch() + 1, 0, s.globalRound(), s.iteration(), atEnd.params(),
                                atEnd.states());
                        replayFrom = s;
                        continue;
                    }
                    long began = System.nanoTime();
                    Shards shards = data.shardsFor(s.epoch());
                    List<RoundTask> tasks = tasks(s, n, Math.min(rounds - s.round(), Math.min(
                            maxRounds <= 0 ? Integer.MAX_VALUE : maxRounds - s.globalRound(),
                            Math.min(avg.maxRoundsPerJob(), Math.min(listener.roundsUntilModelNeeded(s.globalRound()),
                                    pace.rounds())))));
                    String label = label(s, tasks.size(), rounds);
                    List<Averaging.Outcome> outcomes = watchdog.run(s.globalRound(), label,
                            () -> avg.rounds(shards, tasks, label));
                    double wall = (System.nanoTime() - began) / 1e9;
                    pace.ran(outcomes.size(), wall);
                    double computed = 0;
                    for (Averaging.Outcome o : outcomes) {
                        computed += compute(o);
                    }
                    double sharedPerRound = Math.max(0, wall - computed) / outcomes.size();
                    for (int i = 0; i < outcomes.size(); i++) {
                        Averaging.Outcome o = outcomes.get(i);
                        RoundTask task = tasks.get(i);
                        refuseDivergence(s, o.stats());
                        int steps = maxSteps(o);
                        if (steps != task.steps()) {
                            throw new IllegalStateException("round " + (s.globalRound() + 1) + " ran " + steps
                                    + " steps where " + task.steps() + " were planned");
                        }
                        s = new TrainingState(s.epoch(), s.round() + 1, s.globalRound() + 1, s.iteration() + steps,
                                s.params(), s.states());
                        boolean last = i == outcomes.size() - 1;
                        RoundEnd end = new RoundEnd(s.epoch(), s.round(), s.globalRound(), s.iteration(),
                                last ? avg::collect : ParameterAveraging::insideJob);
                        if (s.globalRound() > reported) {
                            listener.onRound(stats(task, o, compute(o) + sharedPerRound), end, rounds);
                            reported = s.globalRound();
                        }
                        if (last && end.fetched()) {
                            replayFrom = end.state();
                        }
                    }
                } catch (Exception e) {                    // a failed job is a SparkException, checked in Java
                    if (!avg.canReplay(e) || ++replays > MAX_REPLAYS) {
                        throw e;
                    }
                    LOG.warn("round {} lost exchange blocks (an executor was lost?): replaying rounds {}..{} from "
                            + "the driver's last model", s.globalRound() + 1, replayFrom.globalRound() + 1,
                            s.globalRound() + 1);
                    avg.restart(replayFrom.vectors());
                    s = replayFrom;
                }
            }
        } finally {
            WorkerCache.release(runId);
        }
    }

    /**
     * The next {@code count} rounds from {@code s}, each with the iteration of its first step: the previous rounds'
     * steps are known in advance (the largest shard's batches in the round), so a job of several rounds needs no
     * report in between.
     */
    private List<RoundTask> tasks(TrainingState s, int n, int count) {
        int tau = plan.localStepsAt(s.epoch());
        int largestShard = 0;
        for (int w = 0; w < plan.workers(); w++) {
            largestShard = Math.max(largestShard,
                    DataOrder.shardStart(n, plan.workers(), w + 1) - DataOrder.shardStart(n, plan.workers(), w));
        }
        int batches = DataOrder.batches(largestShard, plan.batchSize());
        List<RoundTask> tasks = new ArrayList<>(count);
        long iteration = s.iteration();
        for (int i = 0; i < count; i++) {
            int round = s.round() + i;
            int steps = Math.max(0, Math.min(batches, (round + 1) * tau) - round * tau);
            tasks.add(new RoundTask(s.globalRound() + i, s.epoch(), round, tau, iteration, steps));
            iteration += steps;
        }
        return tasks;
    }

    private static String label(TrainingState s, int count, int rounds) {
        return count == 1
                ? String.format(Locale.ROOT, "round %d/%d of epoch %d", s.round() + 1, rounds, s.epoch() + 1)
                : String.format(Locale.ROOT, "rounds %d-%d/%d of epoch %d", s.round() + 1, s.round() + count,
                        rounds, s.epoch() + 1);
    }

    /** The model of a round that ended inside a job of several rounds, which no one may ask for. */
    private static ModelVectors insideJob() {
        throw new IllegalStateException("the model after a round inside a job of several rounds is not kept: "
                + "Listener.roundsUntilModelNeeded must end the job there");
    }

    private static int maxSteps(Averaging.Outcome o) {
        int steps = 0;
        for (WorkerStats w : o.stats()) {
            steps = Math.max(steps, w.steps());
        }
        return steps;
    }

    /** The slowest worker's compute time in the round. */
    private static double compute(Averaging.Outcome o) {
        double compute = 0;
        for (WorkerStats r : o.stats()) {
            compute = Math.max(compute, r.computeSeconds());
        }
        return compute;
    }

    /** Throws {@link LocalTrainer.DivergedException} when a worker's loss became NaN or infinite in the round. */
    private static void refuseDivergence(TrainingState s, WorkerStats[] stats) {
        for (WorkerStats r : stats) {
            if (!Double.isFinite(r.lossSum())) {
                throw new LocalTrainer.DivergedException("the training loss became NaN or infinite in round "
                        + (s.globalRound() + 1) + " (worker " + r.worker() + ", iteration " + (s.iteration() + r.steps())
                        + "): training diverged; lower the learning rate");
            }
        }
    }

    private static RoundStats stats(RoundTask t, Averaging.Outcome o, double wall) {
        long examples = 0;
        double lossSum = 0;
        for (WorkerStats r : o.stats()) {
            examples += r.examples();
            lossSum += r.lossSum();
        }
        double compute = compute(o);
        return new RoundStats(t.globalRound(), t.epoch(), examples, examples == 0 ? 0 : lossSum / examples, compute,
                Math.max(0, wall - compute), wall, o.averagingSeconds(), o.exchangeBytes());
    }
}
