package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkcnn.spark.data.ExampleChunk;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.exchange.ExchangePrecision;
import org.sparkcnn.spark.exchange.LostBlockException;
import org.sparkcnn.spark.exchange.SliceBlocks;
import org.sparkcnn.spark.exchange.SliceLayout;
import scala.collection.Iterator;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Averaging on the executors, through Spark's block manager (the design of BigDL's {@code AllReduceParameter}: a
 * reduce-scatter, then an all-gather). The exchanged vector — parameters, plus optimizer state when it is averaged —
 * is cut into K = min(N, task slots) slices, so that averaging is one wave of tasks. A round has two steps:
 * <ol>
 *   <li>local steps: worker w starts from the K averaged slices of the previous round, runs its steps, and leaves
 *       its vector as K slice blocks in its executor's store;</li>
 *   <li>averaging: task k fetches slice k of every worker, sums them weighted, in worker order (the same arithmetic
 *       as the driver's, so the same bits), and leaves averaged slice k in its executor's store.</li>
 * </ol>
 * When every worker has a task slot at once, the two steps run as one barrier job ({@link BarrierRound}: the
 * workers wait for each other in an all-gather between them), and one barrier job runs many rounds
 * ({@link #maxRoundsPerJob}); else each round runs as two jobs. Both leave the same blocks, so rounds of either
 * kind follow each other.
 * Each worker sends and receives about 2·(P+S) floats per round whatever N is (an averaging task receives N/K
 * workers' worth of slices, and its executor hosts N/K workers); the driver receives reports of a few hundred
 * bytes and holds the model only when asked for it ({@link #collect}). With {@code --exchange-precision bf16}
 * workers send their change over the round in bfloat16, and the averaged change reaches executors that hold the
 * round's starting model in bfloat16 too ({@link SliceAverager}, {@link RoundStart}): half the bytes, and the model
 * differs from fp32's by the rounding of the changes, not of the parameters. Blocks of finished rounds are removed
 * every round, so nothing accumulates. A lost executor takes blocks with it: the round fails with
 * {@link LostBlockException} and the driver replays from the last model it holds.
 */
final class ExecutorAveraging implements Averaging {
    /** The kind of a one-job round in its job description ({@link DriverTraffic}). */
    static final String ONE_JOB = "local steps and averaging";
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorAveraging.class);
    private final JavaSparkContext sc;
    private final LocalSgd sgd;
    private final int failFirstAttemptOfRound;
    private final JavaRDD<Integer> sliceTasks;
    private final JavaRDD<Integer> workerTasks;
    private final SliceLayout layout;
    private final ExchangePrecision precision;
    /** Whether rounds may run as one barrier job (allowed, on in Spark's settings, dynamic allocation and
     *  speculation off). */
    private final boolean barrier;
    private RDD<ExampleChunk> barrierRdd;
    private int barrierOf = -1;
    private Broadcast<ModelVectors> origin;
    private int originId = -1;
    private int averaged = -1;
    private int deltas = -1;
    private int base = -1;
    private int states = -1;

    ExecutorAveraging(JavaSparkContext sc, LocalSgd sgd, int params, int stateLength, ExchangePrecision precision,
                      boolean barrier, int failFirstAttemptOfRound) {
        this.sc = sc;
        this.barrier = barrier && barrierAllowed(sc);
        this.sgd = sgd;
        this.precision = precision;
        this.failFirstAttemptOfRound = failFirstAttemptOfRound;
        int workers = sgd.plan().workers();
        int slices = Math.max(1, Math.min(workers, sc.defaultParallelism()));
        this.sliceTasks = sc.parallelize(IntStream.range(0, slices).boxed().toList(), slices);
        this.workerTasks = sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers);
        this.layout = new SliceLayout(params + (sgd.plan().averageUpdater() ? stateLength : 0), slices);
    }

    /**
     * Whether this context's settings let rounds run as barrier jobs: barrier rounds on
     * ({@link ParameterAveraging#BARRIER_ROUNDS}). Spark neither allows barrier stages with dynamic allocation nor
     * speculates their tasks: with speculation on, a slow worker must be re-run elsewhere, so rounds keep the two-job
     * path (SpeculationIT). In local mode the barrier tasks run in this JVM, which Spark 3.5's barrier timer would
     * keep alive ({@link BarrierTimer}).
     */
    static boolean barrierAllowed(JavaSparkContext sc) {
        return sc.getConf().getBoolean(ParameterAveraging.BARRIER_ROUNDS, true)
                && !sc.getConf().getBoolean("spark.dynamicAllocation.enabled", false)
                && !sc.getConf().getBoolean("spark.speculation", false)
                && (!sc.isLocal() || BarrierTimer.daemon());
    }

    @Override
    public void restart(ModelVectors start) {
        dropBlocks();
        if (origin != null) {
            origin.destroy();
        }
        origin = sc.broadcast(start);
        originId = sc.sc().newRddId();
    }

    /** Any number of rounds while a barrier job fits ({@link #oneJobFits}), else one. */
    @Override
    public int maxRoundsPerJob() {
        return oneJobFits() ? Integer.MAX_VALUE : 1;
    }

    /**
     * Runs rounds {@code tasks} as one barrier job when every worker has a task slot at once ({@link #oneJobFits}),
     * else each as two jobs. A barrier job that fails is not retried by Spark (a barrier result stage is aborted as a
     * whole): its rounds run again as two jobs each, from the same starting blocks, where Spark retries single tasks;
     * a lost block is left to the driver's replay.
     */
    @Override
    public List<Outcome> rounds(Shards shards, List<RoundTask> tasks, String label) {
        if (oneJobFits()) {
            try {
                return exchange(tasks, xs -> oneJob(shards, tasks, label, xs));
            } catch (Exception e) {                        // a failed job is a SparkException, checked in Java
                if (LostBlockException.causedBy(e) || !failedBarrierStage(e)) {
                    throw e;
                }
                LOG.warn("the barrier job of round{} {} failed ({}): running {} again as two jobs each",
                        tasks.size() == 1 ? "" : "s", roundNumbers(tasks), e.getMessage().lines().findFirst()
                                .orElse(""), tasks.size() == 1 ? "it" : "them");
            }
        }
        List<Outcome> outcomes = new ArrayList<>(tasks.size());
        for (RoundTask t : tasks) {
            Outcome o = exchange(List.of(t), xs -> List.of(twoJobs(shards, t, label, xs[0]))).get(0);
            outcomes.add(o);
            if (Arrays.stream(o.stats()).anyMatch(w -> !Double.isFinite(w.lossSum()))) {
                break;
            }
        }
        return outcomes;
    }

    private static String roundNumbers(List<RoundTask> tasks) {
        int first = tasks.get(0).globalRound() + 1;
        return tasks.size() == 1 ? Integer.toString(first) : first + "-" + (first + tasks.size() - 1);
    }

    /**
     * Whether rounds may run as one barrier job: barrier rounds are on ({@link ParameterAveraging#BARRIER_ROUNDS}),
     * dynamic allocation is off (Spark refuses barrier stages with it), and the cluster has a task slot for every
     * worker now (else Spark would wait for slots, 15 s at a time).
     */
    private boolean oneJobFits() {
        return barrier && sc.sc().maxNumConcurrentTasks(sc.sc().resourceProfileManager().defaultResourceProfile())
                >= sgd.plan().workers();
    }

    private static boolean failedBarrierStage(Throwable e) {
        return e.getMessage() != null && e.getMessage().contains("failed barrier ResultStage");
    }

    /**
     * The block groups of rounds {@code tasks}, each round's inputs the previous one's outputs; commits the last
     * round's once {@code jobs} ran every round, and removes every other group.
     */
    private List<Outcome> exchange(List<RoundTask> tasks, Function<ExchangeRound[], List<Outcome>> jobs) {
        ExchangeRound[] xs = new ExchangeRound[tasks.size()];
        int averagedIn = averaged;
        int deltasIn = deltas;
        int baseIn = base;
        int statesIn = states;
        for (int i = 0; i < xs.length; i++) {
            int slicesOut = SliceBlocks.newGroup(sc);
            int statesOut = sgd.plan().averageUpdater() ? -1 : SliceBlocks.newGroup(sc);
            int averagedOut = SliceBlocks.newGroup(sc);
            int deltasOut = precision == ExchangePrecision.BF16 ? SliceBlocks.newGroup(sc) : -1;
            xs[i] = new ExchangeRound(origin, originId, averagedIn, deltasIn, baseIn, statesIn, slicesOut, statesOut,
                    averagedOut, deltasOut, layout, precision);
            baseIn = xs[i].startId();
            averagedIn = averagedOut;
            deltasIn = deltasOut;
            statesIn = statesOut;
        }
        ExchangeRound last = xs[xs.length - 1];
        boolean committed = false;
        try {
            List<Outcome> o = jobs.apply(xs);
            if (o.size() == xs.length) {
                SliceBlocks.remove(states);                // the previous round's states are no longer needed
                SliceBlocks.remove(averaged);              // the averagers needed the round's starting model
                SliceBlocks.remove(deltas);
                base = last.startId();
                averaged = last.averagedOut();
                deltas = last.deltasOut();
                states = last.statesOut();
                committed = true;
            }
            return o;
        } finally {
            sc.setJobDescription(null);
            for (ExchangeRound x : xs) {
                SliceBlocks.remove(x.slicesOut());
                if (x != last || !committed) {             // a failed round leaves nothing behind
                    SliceBlocks.remove(x.averagedOut());
                    SliceBlocks.remove(x.deltasOut());
                    SliceBlocks.remove(x.statesOut());
                }
            }
        }
    }

    /** Local steps, then one averaging task per slice. */
    private Outcome twoJobs(Shards shards, RoundTask t, String label, ExchangeRound x) {
        sc.setJobDescription(label + ": local steps");
        WorkerStats[] stats = (WorkerStats[]) sc.sc().runJob(shards.rdd().rdd(), new LocalSgdToBlocks(sgd, t, x),
                ClassTag$.MODULE$.apply(WorkerStats.class));
        long began = System.nanoTime();
        sc.setJobDescription(label + ": averaging");
        Long[] fetched = (Long[]) sc.sc().runJob(sliceTasks.rdd(), new SliceAverager(sgd.runId(), x,
                WeightedMean.weights(stats), t.globalRound(), failFirstAttemptOfRound),
                ClassTag$.MODULE$.apply(Long.class));
        long bytes = Arrays.stream(fetched).mapToLong(Long::longValue).sum();
        for (WorkerStats s : stats) {
            bytes += s.remoteBytes();
        }
        return new Outcome(stats, (System.nanoTime() - began) / 1e9, bytes);
    }

    /** Local steps and averaging of rounds {@code tasks} in one barrier job ({@link BarrierRound}). */
    private List<Outcome> oneJob(Shards shards, List<RoundTask> tasks, String label, ExchangeRound[] xs) {
        sc.setJobDescription(label + ": " + ONE_JOB);
        BarrierReport[][] reports = (BarrierReport[][]) sc.sc().runJob(barrierShards(shards),
                new BarrierRound(sgd, tasks.toArray(RoundTask[]::new), xs, failFirstAttemptOfRound),
                ClassTag$.MODULE$.apply(BarrierReport[].class));
        List<Outcome> outcomes = new ArrayList<>(reports[0].length);
        for (int r = 0; r < reports[0].length; r++) {
            WorkerStats[] stats = new WorkerStats[reports.length];
            double seconds = 0;
            long bytes = 0;
            for (int w = 0; w < reports.length; w++) {
                stats[w] = reports[w][r].stats();
                seconds = Math.max(seconds, reports[w][r].averagingSeconds());
                bytes += stats[w].remoteBytes() + reports[w][r].averagingBytes();
            }
            outcomes.add(new Outcome(stats, seconds, bytes));
        }
        return outcomes;
    }

    /** The shards as a barrier RDD (Spark launches its tasks all at once), made once per shards RDD. */
    private RDD<ExampleChunk> barrierShards(Shards shards) {
        if (barrierOf != shards.rdd().id()) {
            barrierRdd = shards.rdd().rdd().barrier().mapPartitions(new SameChunks(), true,
                    ClassTag$.MODULE$.apply(ExampleChunk.class));
            barrierOf = shards.rdd().id();
        }
        return barrierRdd;
    }

    /** The identity on a shard's chunks: the barrier RDD's own function (the round's runs as the job's). */
    private static final class SameChunks extends AbstractFunction1<Iterator<ExampleChunk>, Iterator<ExampleChunk>>
            implements Serializable {
        @Override
        public Iterator<ExampleChunk> apply(Iterator<ExampleChunk> chunks) {
            return chunks;
        }
    }

    @Override
    public ModelVectors collect() {
        if (averaged < 0) {
            return origin.value();
        }
        sc.setJobDescription("model to the driver");
        float[][][] parts;
        try {
            parts = (float[][][]) sc.sc().runJob(workerTasks.rdd(),
                    new SliceCollector(averaged, layout.slices(), states), ClassTag$.MODULE$.apply(float[][].class));
        } finally {
            sc.setJobDescription(null);
        }
        float[] v = new float[layout.length()];
        for (int k = 0; k < layout.slices(); k++) {
            System.arraycopy(parts[k][0], 0, v, layout.from(k), parts[k][0].length);
        }
        int p = origin.value().params().length;
        float[] params = Arrays.copyOf(v, p);
        float[][] st;
        if (states < 0) {
            st = new float[][]{Arrays.copyOfRange(v, p, v.length)};
        } else {
            st = new float[parts.length][];
            for (int w = 0; w < parts.length; w++) {
                st[w] = parts[w][1];
            }
        }
        return new ModelVectors(params, st);
    }

    @Override
    public boolean canReplay(Throwable failure) {
        return LostBlockException.causedBy(failure);
    }

    @Override
    public void close() {
        dropBlocks();
        SliceBlocks.awaitRemovals();               // none in flight when Spark stops
        if (origin != null) {
            origin.destroy();
            origin = null;
        }
    }

    private void dropBlocks() {
        SliceBlocks.remove(averaged);
        averaged = -1;
        SliceBlocks.remove(deltas);
        deltas = -1;
        base = -1;
        SliceBlocks.remove(states);
        states = -1;
    }
}
