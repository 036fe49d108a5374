package org.sparkcnn.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.optim.OptimizerConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The executor memory pre-flight: footprints counted by hand, limits read from SparkConf as JavaCPP reads them. */
class ExecutorLimitsTest {
    static final String DEFAULT_OPTIONS = "-Dorg.bytedeco.javacpp.maxbytes=1g -Dorg.bytedeco.javacpp.maxphysicalbytes=2500m";

    static TrainingPlan plan(String model, OptimizerConfig.Kind kind, int workers, int batch, boolean averageState) {
        return new TrainingPlan(Presets.resolve(model), OptimizerConfig.of(kind, 0.01), workers, 5, 0, batch, 1, 1,
                averageState);
    }

    static SparkConf cluster() {
        return new SparkConf(false).set("spark.master", "spark://127.0.0.1:7077");
    }

    @Test
    void footprintCountsTrainersPerSlotAndTheExchangedVectors() {
        // softmax10 on 28x28: P = 7,850; SGD keeps a 1-float state; per example 784 inputs + 10 outputs.
        assertEquals(2 * 7850 + 1 + 16 * 794, ExecutorFootprint.trainerFloats(Presets.resolve("softmax10"), 1, 16));
        TrainingPlan averaged = plan("softmax10", OptimizerConfig.Kind.SGD, 4, 16, true);
        assertEquals(new ExecutorFootprint(4L * 2 * 28405, 4L * 7851 * 3, 4L * 7851 * 2),
                ExecutorFootprint.of(averaged, Aggregation.EXECUTORS, 1, 2, 2));
        // the driver path: the broadcast carries P and all 4 workers' states, each running task a result and its bytes
        TrainingPlan perWorker = plan("softmax10", OptimizerConfig.Kind.SGD, 4, 16, false);
        assertEquals(new ExecutorFootprint(4L * 2 * 28405, 4L * (7850 + 4 + 2 * 2 * 7851), 0),
                ExecutorFootprint.of(perWorker, Aggregation.DRIVER, 1, 2, 2));
        // no more trainers than workers
        assertEquals(4L * 28405, ExecutorFootprint.of(plan("softmax10", OptimizerConfig.Kind.SGD, 1, 16, true),
                Aggregation.EXECUTORS, 1, 8, 1).offHeapBytes());
    }

    @Test
    void limitsAreReadAsSparkAndJavaCppReadThem() {
        ExecutorLimits defaults = ExecutorLimits.of(cluster().set("spark.executor.memory", "1g")
                .set("spark.executor.extraJavaOptions", DEFAULT_OPTIONS));
        assertEquals(new ExecutorLimits(1L << 30, 1L << 30, 2500L << 20, 1, 0), defaults);
        ExecutorLimits unset = ExecutorLimits.of(cluster().set("spark.executor.memory", "2g")
                .set("spark.executor.cores", "8").set("spark.task.cpus", "2").set("spark.executor.instances", "3")
                .set("spark.executor.extraJavaOptions", "-Dfoo=1 -Dorg.bytedeco.javacpp.maxbytes=50%"));
        assertEquals(new ExecutorLimits(2L << 30, 1L << 30, (1L << 30) + 3 * (2L << 30), 4, 3), unset);
        assertEquals(3, unset.workersOnBusiest(8));
        assertEquals(1, ExecutorLimits.of(cluster().set("spark.executor.instances", "3")
                .set("spark.dynamicAllocation.enabled", "true")).workersOnBusiest(8));
    }

    @Test
    void trainersAboveMaxBytesAreRefusedAtTheExactBoundary() {
        TrainingPlan tf = plan("tf-mnist", OptimizerConfig.Kind.ADAM, 8, 256, true);
        long needed = ExecutorFootprint.of(tf, Aggregation.EXECUTORS, tf.optimizer().stateSize(
                tf.spec().paramCount()), 4, 1).offHeapBytes();
        assertTrue(needed > 400_000_000L && needed < 430_000_000L, "4 tf-mnist Adam trainers at B = 256: " + needed);
        SparkConf conf = cluster().set("spark.executor.memory", "8g").set("spark.executor.cores", "4");
        ParameterAveraging pa = new ParameterAveraging(null, tf, Aggregation.EXECUTORS);
        conf.set("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=" + (needed - 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pa.checkExecutorLimits(conf));
        assertTrue(e.getMessage().contains("raise -Dorg.bytedeco.javacpp.maxbytes in spark.executor.extraJavaOptions")
                && !e.getMessage().contains("\n"), e.getMessage());
        conf.set("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=" + needed);
        pa.checkExecutorLimits(conf);
    }

    @Test
    void perWorkerStatesBroadcastToEveryExecutorAreRefusedAboveTheHeap() {
        // tf-mnist, Nesterov, 64 workers keeping their own state: the driver path broadcasts 64 states of 3.27M floats
        SparkConf conf = cluster().set("spark.executor.memory", "1g");
        TrainingPlan perWorker = plan("tf-mnist", OptimizerConfig.Kind.NESTEROV, 64, 64, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ParameterAveraging(null, perWorker, Aggregation.DRIVER).checkExecutorLimits(conf));
        assertTrue(e.getMessage().startsWith("an executor cannot hold a round of 64 workers averaging on the driver")
                && e.getMessage().endsWith("raise spark.executor.memory)"), e.getMessage());
        new ParameterAveraging(null, perWorker, Aggregation.EXECUTORS).checkExecutorLimits(conf);
        new ParameterAveraging(null, plan("tf-mnist", OptimizerConfig.Kind.NESTEROV, 64, 64, true),
                Aggregation.DRIVER).checkExecutorLimits(conf);
    }

    @Test
    void theShippedDefaultsHoldLenetAndResidentSizeCountsHeapAndOffHeap() {
        SparkConf conf = cluster().set("spark.executor.memory", "1g")
                .set("spark.executor.extraJavaOptions", DEFAULT_OPTIONS);
        new ParameterAveraging(null, plan("lenet", OptimizerConfig.Kind.NESTEROV, 64, 64, true), Aggregation.EXECUTORS)
                .checkExecutorLimits(conf);
        // heap and off-heap each fit their own limit, not both under an 800 MB resident cap
        TrainingPlan tf = plan("tf-mnist", OptimizerConfig.Kind.NESTEROV, 8, 64, true);
        conf.set("spark.executor.memory", "3g").set("spark.executor.cores", "8").set("spark.executor.extraJavaOptions",
                "-Dorg.bytedeco.javacpp.maxbytes=3g -Dorg.bytedeco.javacpp.maxphysicalbytes=800m");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ParameterAveraging(null, tf, Aggregation.EXECUTORS).checkExecutorLimits(conf));
        assertTrue(e.getMessage().contains("maxphysicalbytes"), e.getMessage());
    }

    @Test
    void localMastersAreNotChecked() {
        SparkConf tiny = new SparkConf(false).set("spark.executor.memory", "1m").set("spark.master", "local[2]");
        TrainingPlan lenet = plan("lenet", OptimizerConfig.Kind.ADAM, 2, 64, true);
        new ParameterAveraging(null, lenet, Aggregation.EXECUTORS).checkExecutorLimits(tiny);
        tiny.set("spark.master", "local-cluster[2,1,1024]");
        assertThrows(IllegalArgumentException.class,
                () -> new ParameterAveraging(null, lenet, Aggregation.EXECUTORS).checkExecutorLimits(tiny));
    }
}
