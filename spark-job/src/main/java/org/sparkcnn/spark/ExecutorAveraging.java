package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.spark.data.Shards;
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
 * bytes and holds the model only when asked for it ({@link #collect}). Blocks of finished rounds are removed every
 * round, so nothing accumulates. A lost executor takes blocks with it: the round fails with
 * {@link LostBlockException} and the driver replays from the last model it holds.
 */
final class ExecutorAveraging implements Averaging {
    private final JavaSparkContext sc;
    private final LocalSgd sgd;
    private final int failFirstAttemptOfRound;
    private final JavaRDD<Integer> sliceTasks;
    private final JavaRDD<Integer> workerTasks;
    private final SliceLayout layout;
    private Broadcast<ModelVectors> origin;
    private int averaged = -1;
    private int states = -1;

    ExecutorAveraging(JavaSparkContext sc, LocalSgd sgd, int params, int stateLength, int failFirstAttemptOfRound) {
        this.sc = sc;
        this.sgd = sgd;
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
    }

    @Override
    public Outcome round(Shards shards, RoundTask t, String label) {
        int slicesOut = SliceBlocks.newGroup(sc);
        int statesOut = sgd.plan().averageUpdater() ? -1 : SliceBlocks.newGroup(sc);
        ExchangeRound x = new ExchangeRound(origin, averaged, states, slicesOut, statesOut, layout);
        WorkerStats[] stats;
        Long[] fetched;
        long began;
        int averagedOut = SliceBlocks.newGroup(sc);
        try {
            sc.setJobDescription(label + ": local steps");
            stats = (WorkerStats[]) sc.sc().runJob(shards.rdd().rdd(), new LocalSgdToBlocks(sgd, t, x),
                    ClassTag$.MODULE$.apply(WorkerStats.class));
            dropBlocks();                                  // the previous round's model is no longer needed
            states = statesOut;
            began = System.nanoTime();
            sc.setJobDescription(label + ": averaging");
            fetched = (Long[]) sc.sc().runJob(sliceTasks.rdd(), new SliceAverager(slicesOut, averagedOut, layout,
                    WeightedMean.weights(stats), t.globalRound(), failFirstAttemptOfRound),
                    ClassTag$.MODULE$.apply(Long.class));
            averaged = averagedOut;
        } finally {
            sc.setJobDescription(null);
            SliceBlocks.remove(slicesOut);
            if (averaged != averagedOut) {                 // a failed round leaves nothing behind
                SliceBlocks.remove(averagedOut);
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
        SliceBlocks.remove(states);
        states = -1;
    }
}
