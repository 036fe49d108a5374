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
import java.util.Arrays;
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
 * workers wait for each other in an all-gather between them), else as two jobs. Both leave the same blocks, so
 * rounds of either kind follow each other.
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
        // Spark neither allows barrier stages with dynamic allocation nor speculates their tasks: with speculation
        // on, a slow worker must be re-run elsewhere, so rounds keep the two-job path (SpeculationIT). In local
        // mode the barrier tasks run in this JVM, which Spark 3.5's barrier timer would keep alive (BarrierTimer)
        this.barrier = barrier && sc.getConf().getBoolean(ParameterAveraging.BARRIER_ROUNDS, true)
                && !sc.getConf().getBoolean("spark.dynamicAllocation.enabled", false)
                && !sc.getConf().getBoolean("spark.speculation", false)
                && (!sc.isLocal() || BarrierTimer.daemon());
        this.sgd = sgd;
        this.precision = precision;
        this.failFirstAttemptOfRound = failFirstAttemptOfRound;
        int workers = sgd.plan().workers();
        int slices = Math.max(1, Math.min(workers, sc.defaultParallelism()));
        this.sliceTasks = sc.parallelize(IntStream.range(0, slices).boxed().toList(), slices);
        this.workerTasks = sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers);
        this.layout = new SliceLayout(params + (sgd.plan().averageUpdater() ? stateLength : 0), slices);
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

    /**
     * Runs round {@code t} as one barrier job when every worker has a task slot at once ({@link #oneJobFits}), else
     * as two jobs. A barrier job that fails is not retried by Spark (a barrier result stage is aborted as a whole):
     * the round runs again as two jobs, from the same starting blocks, where Spark retries single tasks; a lost block
     * is left to the driver's replay.
     */
    @Override
    public Outcome round(Shards shards, RoundTask t, String label) {
        if (oneJobFits()) {
            try {
                return exchange(t, x -> oneJob(shards, t, label, x));
            } catch (Exception e) {                        // a failed job is a SparkException, checked in Java
                if (LostBlockException.causedBy(e) || !failedBarrierStage(e)) {
                    throw e;
                }
                LOG.warn("the barrier job of round {} failed ({}): running the round again as two jobs",
                        t.globalRound() + 1, e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return exchange(t, x -> twoJobs(shards, t, label, x));
    }

    /**
     * Whether this round may run as one barrier job: barrier rounds are on ({@link ParameterAveraging#BARRIER_ROUNDS}),
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

    /** The round's block groups; commits them once {@code jobs} succeeded, removes them when it failed. */
    private Outcome exchange(RoundTask t, Function<ExchangeRound, Outcome> jobs) {
        int slicesOut = SliceBlocks.newGroup(sc);
        int statesOut = sgd.plan().averageUpdater() ? -1 : SliceBlocks.newGroup(sc);
        int averagedOut = SliceBlocks.newGroup(sc);
        int deltasOut = precision == ExchangePrecision.BF16 ? SliceBlocks.newGroup(sc) : -1;
        ExchangeRound x = new ExchangeRound(origin, originId, averaged, deltas, base, states, slicesOut, statesOut,
                averagedOut, deltasOut, layout, precision);
        try {
            Outcome o = jobs.apply(x);
            SliceBlocks.remove(states);                    // the previous round's states are no longer needed
            states = statesOut;
            SliceBlocks.remove(averaged);                  // the averagers needed the round's starting model
            SliceBlocks.remove(deltas);
            base = x.startId();
            averaged = averagedOut;
            deltas = deltasOut;
            return o;
        } finally {
            sc.setJobDescription(null);
            SliceBlocks.remove(slicesOut);
            if (averaged != averagedOut) {                 // a failed round leaves nothing behind
                SliceBlocks.remove(averagedOut);
                SliceBlocks.remove(deltasOut);
                SliceBlocks.remove(statesOut);
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

    /** Local steps and averaging in one barrier job ({@link BarrierRound}). */
    private Outcome oneJob(Shards shards, RoundTask t, String label, ExchangeRound x) {
        sc.setJobDescription(label + ": " + ONE_JOB);
        BarrierReport[] reports = (BarrierReport[]) sc.sc().runJob(barrierShards(shards),
                new BarrierRound(sgd, t, x, failFirstAttemptOfRound), ClassTag$.MODULE$.apply(BarrierReport.class));
        WorkerStats[] stats = new WorkerStats[reports.length];
        double seconds = 0;
        long bytes = 0;
        for (int w = 0; w < reports.length; w++) {
            stats[w] = reports[w].stats();
            seconds = Math.max(seconds, reports[w].averagingSeconds());
            bytes += stats[w].remoteBytes() + reports[w].averagingBytes();
        }
        return new Outcome(stats, seconds, bytes);
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
