package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.spark.data.Shards;
import scala.reflect.ClassTag$;

/**
 * Averaging on the driver, the reference path: broadcast the model → each worker's task returns its vectors → the
 * driver sums them in worker order. N·(P+S) floats reach the driver every round.
 */
final class DriverAveraging implements Averaging {
    private final JavaSparkContext sc;
    private final LocalSgd sgd;
    private ModelVectors current;

    DriverAveraging(JavaSparkContext sc, LocalSgd sgd) {
        this.sc = sc;
        this.sgd = sgd;
    }

    @Override
    public void restart(ModelVectors start) {
        current = start;
    }

    /**
     * One Spark job of one task per shard. The job runs the named function directly on the cached shards
     * ({@code SparkContext.runJob}) rather than through {@code map(...).collect()}: that builds no RDD per round and
     * skips the closure cleaner, which re-reads class files for every Scala lambda (a few ms per job).
     */
    @Override
    public Outcome round(Shards shards, RoundTask t, String label) {
        Broadcast<ModelVectors> bc = sc.broadcast(current);
        sc.setJobDescription(label + ": local steps");
        WorkerResult[] results;
        try {
            results = (WorkerResult[]) sc.sc().runJob(shards.rdd().rdd(), new LocalSgdToDriver(sgd, t, bc),
                    ClassTag$.MODULE$.apply(WorkerResult.class));
        } finally {
            sc.setJobDescription(null);
            bc.destroy();
        }
        long began = System.nanoTime();
        WorkerStats[] stats = new WorkerStats[results.length];
        for (int w = 0; w < results.length; w++) {
            stats[w] = results[w].stats();
        }
        double[] weights = WeightedMean.weights(stats);
        WeightedMean params = new WeightedMean(weights, results[0].params().length);
        WeightedMean state = new WeightedMean(weights, results[0].state().length);
        for (int w = 0; w < results.length; w++) {
            params.add(w, results[w].params());
            if (sgd.plan().averageUpdater()) {
                state.add(w, results[w].state());
            }
        }
        float[][] states;
        if (sgd.plan().averageUpdater()) {
            states = new float[][]{state.floats()};
        } else {
            states = new float[results.length][];
            for (int w = 0; w < results.length; w++) {
                states[w] = results[w].state();
            }
        }
        current = new ModelVectors(params.floats(), states);
        return new Outcome(stats, (System.nanoTime() - began) / 1e9, 0);
    }

    @Override
    public ModelVectors collect() {
        return current;
    }

    @Override
    public boolean canReplay(Throwable failure) {
        return false;                                   // Spark's task retries cover every failure of this path
    }

    @Override
    public void close() {
        current = null;
    }
}
