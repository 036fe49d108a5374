package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.core.BlasKernel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What besides the configuration decides a run's bits: the cores a worker's task trains with
 * ({@code spark.task.cpus}: a task of k cores splits each minibatch over k threads, and the gradient's sum order
 * follows the split) and the BLAS kernel the executors compute with ({@link BlasKernel#describe}). Recorded in the
 * run's configuration ({@code hardware}) and compared on resume.
 *
 * @param taskCores the threads each worker trains with
 * @param blas      the distinct BLAS descriptions the probe tasks reported, sorted
 */
public record Hardware(int taskCores, List<String> blas) {
    public Hardware {
        blas = List.copyOf(blas);
    }

    /**
     * The hardware of a run on {@code sc} with {@code workers} workers: one probe task per worker, run before the
     * first round wherever Spark places it, reports its executor's BLAS (on a local master, the driver's own JVM).
     * Executors that join later, or that a worker moves to after an executor is lost, are not probed.
     */
    public static Hardware probe(JavaSparkContext sc, int workers) {
        int cores = Math.max(1, sc.getConf().getInt("spark.task.cpus", 1));
        if (sc.isLocal()) {
            return new Hardware(cores, List.of(BlasKernel.describe()));
        }
        List<Integer> tasks = IntStream.range(0, workers).boxed().collect(Collectors.toList());
        List<String> seen = sc.parallelize(tasks, workers).map(i -> BlasKernel.describe()).collect();
        return new Hardware(cores, List.copyOf(new TreeSet<>(seen)));
    }

    /** As written to the configuration. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("taskCores", taskCores);
        m.put("blas", blas.size() == 1 ? blas.get(0) : blas);
        return m;
    }
}
