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
        assertEquals(new ExecutorLimits(1L << 30, 1L << 30, 2500L << 20, 1, 0, 0), defaults);
        ExecutorLimits unset = ExecutorLimits.of(cluster().set("spark.executor.memory", "2g")
                .set("spark.executor.cores", "8").set("spark.task.cpus", "2").set("spark.executor.instances", "3")
                .set("spark.executor.extraJavaOptions", "-Dfoo=1 -Dorg.bytedeco.javacpp.maxbytes=50%"));
        assertEquals(new ExecutorLimits(2L << 30, 1L << 30, (1L << 30) + 3 * (2L << 30), 4, 3, 0), unset);
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

    @Test
    void theContainerOverheadIsReadAsSparkSizesIt() {
        SparkConf yarn = new SparkConf(false).set("spark.master", "yarn").set("spark.executor.memory", "1g");
        assertEquals(384L << 20, ExecutorLimits.of(yarn).overheadBytes(), "at least 384 MiB");
        yarn.set("spark.executor.memory", "8g");
        assertEquals((long) (0.10 * (8L << 30)), ExecutorLimits.of(yarn).overheadBytes(), "10% of the heap");
        yarn.set("spark.executor.memoryOverheadFactor", "0.2");
        assertEquals((long) (0.2 * (8L << 30)), ExecutorLimits.of(yarn).overheadBytes());
        yarn.set("spark.executor.memoryOverhead", "1536");
        assertEquals(1536L << 20, ExecutorLimits.of(yarn).overheadBytes(), "MiB without a unit");
        assertEquals(1L << 30, ExecutorLimits.of(new SparkConf(false).set("spark.master", "k8s://https://h:6443")
                .set("spark.executor.memoryOverhead", "1g")).overheadBytes());
        assertEquals(0, ExecutorLimits.of(cluster().set("spark.executor.memoryOverhead", "1g")).overheadBytes(),
                "a standalone worker enforces no container");
    }

    @Test
    void trainersAboveTheContainerOverheadAreRefusedOnYarnAndKubernetes() {
        TrainingPlan tf = plan("tf-mnist", OptimizerConfig.Kind.ADAM, 8, 256, true);
        ParameterAveraging pa = new ParameterAveraging(null, tf, Aggregation.EXECUTORS);
        long needed = ExecutorFootprint.of(tf, Aggregation.EXECUTORS, tf.optimizer().stateSize(
                tf.spec().paramCount()), 4, 1).offHeapBytes();
        assertTrue(needed > 384L << 20, "4 tf-mnist Adam trainers need more than the default 384 MiB: " + needed);
        for (String master : new String[] {"yarn", "k8s://https://h:6443"}) {
            SparkConf conf = new SparkConf(false).set("spark.master", master).set("spark.executor.memory", "2g")
                    .set("spark.executor.cores", "4")
                    .set("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=2g");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pa.checkExecutorLimits(conf));
            assertTrue(e.getMessage().contains("above spark.executor.memoryOverhead (403 MB)")
                    && e.getMessage().contains("raise spark.executor.memoryOverhead")
                    && !e.getMessage().contains("\n"), e.getMessage());
            long mib = 1 << 20;
            pa.checkExecutorLimits(conf.set("spark.executor.memoryOverhead", (needed + mib - 1) / mib + "m"));
            conf.set("spark.executor.memoryOverhead", Long.toString(needed / mib));     // MiB, just below
            assertThrows(IllegalArgumentException.class, () -> pa.checkExecutorLimits(conf));
            conf.set("spark.master", "spark://127.0.0.1:7077");
            pa.checkExecutorLimits(conf);
        }
    }

    /** conf/spark-defaults.conf, as Spark reads a properties file. */
    static SparkConf shipped() throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("../conf/spark-defaults.conf"))) {
            p.load(in);
        }
        SparkConf conf = new SparkConf(false);
        p.stringPropertyNames().forEach(k -> conf.set(k, p.getProperty(k).trim()));
        return conf;
    }

    @Test
    void theShippedContainersHoldJavaCppsLimits() throws java.io.IOException {
        SparkConf conf = shipped().set("spark.master", "yarn");
        ExecutorLimits limits = ExecutorLimits.of(conf);
        assertEquals(java.util.Optional.empty(), limits.containerMismatch());
        assertTrue(limits.overheadBytes() >= limits.maxBytes() + (384L << 20), limits.toString());
        assertTrue(limits.heapBytes() + limits.overheadBytes() >= limits.maxPhysicalBytes(), limits.toString());
        // the driver's container (cluster deploy mode): the same rule for its own limits
        long driverHeap = conf.getSizeAsBytes("spark.driver.memory");
        long driverOverhead = conf.getSizeAsMb("spark.driver.memoryOverhead") << 20;
        String driverOptions = conf.get("spark.driver.extraJavaOptions");
        long driverMax = org.bytedeco.javacpp.Pointer.parseBytes(driverOptions.replaceAll(
                ".*-Dorg.bytedeco.javacpp.maxbytes=(\\S+).*", "$1"), driverHeap);
        long driverPhysical = org.bytedeco.javacpp.Pointer.parseBytes(driverOptions.replaceAll(
                ".*-Dorg.bytedeco.javacpp.maxphysicalbytes=(\\S+).*", "$1"), driverHeap);
        assertTrue(driverOverhead >= driverMax + (384L << 20) && driverHeap + driverOverhead >= driverPhysical,
                driverOverhead + " " + driverMax + " " + driverPhysical);
        new ParameterAveraging(null, plan("lenet", OptimizerConfig.Kind.NESTEROV, 64, 64, true),
                Aggregation.EXECUTORS).checkExecutorLimits(conf);
        ExecutorLimits tight = ExecutorLimits.of(conf.set("spark.executor.memoryOverhead", "512m"));
        assertTrue(tight.containerMismatch().orElseThrow().contains("raise spark.executor.memoryOverhead"));
    }
}
