package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.spark.data.Shards;
import scala.reflect.ClassTag$;

import java.util.ArrayList;
import java.util.List;

/**
 * Averaging on the driver, the reference path: broadcast the model → each worker's task returns its vectors → the
 * driver sums them in worker order. N·(P+S) floats reach the driver every round. With one worker the average is
 * the worker's own vector, so one job runs many rounds and the vectors travel once per job, not once per round.
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

    /** One worker: a job may run any number of rounds; more workers: one. */
    @Override
    public int maxRoundsPerJob() {
        return sgd.plan().workers() == 1 ? Integer.MAX_VALUE : 1;
    }

    /**
     * One Spark job of one task per shard. The job runs the named function directly on the cached shards
     * ({@code SparkContext.runJob}) rather than through {@code map(...).collect()}: that builds no RDD per round and
     * skips the closure cleaner, which re-reads class files for every Scala lambda (a few ms per job).
     */
    @Override
    public List<Outcome> rounds(Shards shards, List<RoundTask> tasks, String label) {
        if (tasks.isEmpty() || tasks.size() > maxRoundsPerJob()) {
            throw new IllegalArgumentException(tasks.size() + " rounds in one job of " + sgd.plan().workers()
                    + " workers");
        }
        Broadcast<ModelVectors> bc = sc.broadcast(current);
        sc.setJobDescription(label + ": local steps");
        WorkerResult[] results;
        try {
            results = (WorkerResult[]) sc.sc().runJob(shards.rdd().rdd(),
                    new LocalSgdToDriver(sgd, tasks.toArray(RoundTask[]::new), bc),
                    ClassTag$.MODULE$.apply(WorkerResult.class));
        } finally {
            sc.setJobDescription(null);
            bc.destroy();
        }
        List<Outcome> outcomes = new ArrayList<>(tasks.size());
        for (int r = 0; r < results[0].rounds().length; r++) {
            WorkerStats[] stats = new WorkerStats[results.length];
            for (int w = 0; w < results.length; w++) {
                stats[w] = results[w].rounds()[r];
            }
            outcomes.add(new Outcome(stats, 0, 0));
        }
        long began = System.nanoTime();
        average(results);
        double seconds = (System.nanoTime() - began) / 1e9;
        Outcome last = outcomes.get(outcomes.size() - 1);
        outcomes.set(outcomes.size() - 1, new Outcome(last.stats(), seconds, 0));
        return outcomes;
    }

    /** The workers' vectors averaged, weighted by the examples of the job's last round, in worker order. */
    private void average(WorkerResult[] results) {
        WorkerStats[] last = new WorkerStats[results.length];
        for (int w = 0; w < results.length; w++) {
            last[w] = results[w].rounds()[results[w].rounds().length - 1];
        }
        double[] weights = WeightedMean.weights(last);
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
