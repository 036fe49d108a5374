package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.exchange.ExchangePrecision;
import org.sparkcnn.spark.exchange.LostBlockException;
import org.sparkcnn.spark.exchange.SliceBlocks;
import org.sparkcnn.spark.exchange.SliceLayout;
import scala.reflect.ClassTag$;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Averaging on the executors, through Spark's block manager (the design of BigDL's {@code AllReduceParameter}: a
 * reduce-scatter, then an all-gather). The exchanged vector — parameters, plus optimizer state when it is averaged —
 * is cut into K = min(N, task slots) slices, so that averaging is one wave of tasks. Every round runs two jobs:
 * <ol>
 *   <li>local steps: worker w starts from the K averaged slices of the previous round, runs its steps, and leaves
 *       its vector as K slice blocks in its executor's store;</li>
 *   <li>averaging: task k fetches slice k of every worker, sums them weighted, in worker order (the same arithmetic
 *       as the driver's, so the same bits), and leaves averaged slice k in its executor's store.</li>
 * </ol>
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
    private final JavaSparkContext sc;
    private final LocalSgd sgd;
    private final int failFirstAttemptOfRound;
    private final JavaRDD<Integer> sliceTasks;
    private final JavaRDD<Integer> workerTasks;
    private final SliceLayout layout;
    private final ExchangePrecision precision;
    private Broadcast<ModelVectors> origin;
    private int originId = -1;
    private int averaged = -1;
    private int deltas = -1;
    private int base = -1;
    private int states = -1;

    ExecutorAveraging(JavaSparkContext sc, LocalSgd sgd, int params, int stateLength, ExchangePrecision precision,
                      int failFirstAttemptOfRound) {
        this.sc = sc;
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

    @Override
    public Outcome round(Shards shards, RoundTask t, String label) {
        int slicesOut = SliceBlocks.newGroup(sc);
        int statesOut = sgd.plan().averageUpdater() ? -1 : SliceBlocks.newGroup(sc);
        int averagedOut = SliceBlocks.newGroup(sc);
        int deltasOut = precision == ExchangePrecision.BF16 ? SliceBlocks.newGroup(sc) : -1;
        ExchangeRound x = new ExchangeRound(origin, originId, averaged, deltas, base, states, slicesOut, statesOut,
                averagedOut, deltasOut, layout, precision);
        WorkerStats[] stats;
        Long[] fetched;
        long began;
        try {
            sc.setJobDescription(label + ": local steps");
            stats = (WorkerStats[]) sc.sc().runJob(shards.rdd().rdd(), new LocalSgdToBlocks(sgd, t, x),
                    ClassTag$.MODULE$.apply(WorkerStats.class));
            SliceBlocks.remove(states);                    // the previous round's states are no longer needed
            states = statesOut;
            began = System.nanoTime();
            sc.setJobDescription(label + ": averaging");
            fetched = (Long[]) sc.sc().runJob(sliceTasks.rdd(), new SliceAverager(sgd.runId(), x,
                    WeightedMean.weights(stats), t.globalRound(), failFirstAttemptOfRound),
                    ClassTag$.MODULE$.apply(Long.class));
            SliceBlocks.remove(averaged);                  // the averagers needed the round's starting model
            SliceBlocks.remove(deltas);
            base = x.startId();
            averaged = averagedOut;
            deltas = deltasOut;
        } finally {
            sc.setJobDescription(null);
            SliceBlocks.remove(slicesOut);
            if (averaged != averagedOut) {                 // a failed round leaves nothing behind
                SliceBlocks.remove(averagedOut);
                SliceBlocks.remove(deltasOut);
                if (states != statesOut) {
                    SliceBlocks.remove(statesOut);
                }
            }
        }
        long bytes = Arrays.stream(fetched).mapToLong(Long::longValue).sum();
        for (WorkerStats s : stats) {
            bytes += s.remoteBytes();
        }
        return new Outcome(stats, (System.nanoTime() - began) / 1e9, bytes);
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
