package org.sparkcnn.spark;

import org.apache.spark.SparkConf;
import org.bytedeco.javacpp.Pointer;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An executor's memory limits as the Spark configuration sets them, and the pre-flight that compares an
 * {@link ExecutorFootprint} with them.
 * <ul>
 *   <li>heap: {@code spark.executor.memory} (default 1g), of which Spark reserves 300 MB for itself;</li>
 *   <li>off-heap: JavaCPP's {@code org.bytedeco.javacpp.maxbytes} in {@code spark.executor.extraJavaOptions}
 *       (default: the heap size) caps ND4J's arrays; {@code maxphysicalbytes} (default: maxbytes + 3 × heap; 0: no
 *       cap) caps the whole process's resident memory, heap included. Sizes read as JavaCPP reads them.</li>
 *   <li>task slots: {@code spark.executor.cores / spark.task.cpus}, one when executor cores are not set (the
 *       fewest an executor can have, so the estimate stays a lower bound);</li>
 *   <li>workers on the busiest executor: ⌈N / spark.executor.instances⌉ when the instances are set and dynamic
 *       allocation is off, one otherwise;</li>
 *   <li>container overhead: on YARN and Kubernetes, which kill an executor whose container outgrows heap +
 *       overhead, {@code spark.executor.memoryOverhead} (in MiB without a unit), by default
 *       {@code spark.executor.memoryOverheadFactor} (0.10) × heap, at least {@code spark.executor.minMemoryOverhead}
 *       (384 MiB). JavaCPP's off-heap memory is outside the heap, so it has to fit in the overhead. Standalone and
 *       local masters enforce no container: 0.</li>
 * </ul>
 * Local masters are not checked: their executor is the driver's JVM, whose limits were fixed when it started.
 *
 * @param heapBytes          the executor's heap
 * @param maxBytes           JavaCPP's cap on off-heap allocations
 * @param maxPhysicalBytes   JavaCPP's cap on the resident size (0: none)
 * @param slots              tasks one executor runs at once
 * @param executors          executors of the application, 0 when unknown
 * @param overheadBytes      the container's memory beyond the heap, 0 when the cluster manager enforces none
 */
public record ExecutorLimits(long heapBytes, long maxBytes, long maxPhysicalBytes, int slots, int executors,
                             long overheadBytes) {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExecutorLimits.class);
    /** Heap Spark keeps for itself before its unified memory ({@code RESERVED_SYSTEM_MEMORY_BYTES}). */
    static final long SPARK_RESERVED = 300L << 20;
    private static final Pattern MAX_BYTES = Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.maxbytes=(\\S+)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern MAX_PHYSICAL = Pattern.compile(
            "-Dorg\\.bytedeco\\.javacpp\\.maxphysicalbytes=(\\S+)", Pattern.CASE_INSENSITIVE);

    /** The executors' limits under {@code conf}. */
    public static ExecutorLimits of(SparkConf conf) {
        long heap = conf.getSizeAsBytes("spark.executor.memory", "1g");
        String options = conf.get("spark.executor.extraJavaOptions", "");
        long maxBytes = option(MAX_BYTES, options).map(s -> Pointer.parseBytes(s, heap)).orElse(heap);
        long maxPhysical = option(MAX_PHYSICAL, options).map(s -> Pointer.parseBytes(s, heap))
                .orElse(maxBytes > 0 ? maxBytes + 3 * heap : 0);
        int slots = Math.max(1, conf.getInt("spark.executor.cores", 1) / Math.max(1, conf.getInt("spark.task.cpus", 1)));
        int executors = conf.getBoolean("spark.dynamicAllocation.enabled", false) ? 0
                : conf.getInt("spark.executor.instances", 0);
        return new ExecutorLimits(heap, maxBytes, maxPhysical, slots, executors, overhead(conf, heap));
    }

    /** A container's memory beyond the heap on YARN and Kubernetes, as Spark sizes it; 0 on other masters. */
    static long overhead(SparkConf conf, long heap) {
        String master = conf.get("spark.master", "");
        if (!master.equals("yarn") && !master.startsWith("k8s://")) {
            return 0;
        }
        if (conf.contains("spark.executor.memoryOverhead")) {
            return conf.getSizeAsMb("spark.executor.memoryOverhead") << 20;
        }
        long min = conf.getSizeAsMb("spark.executor.minMemoryOverhead", "384m") << 20;
        return Math.max(min, (long) (conf.getDouble("spark.executor.memoryOverheadFactor", 0.10) * heap));
    }

    /** Workers on the executor that hosts the most of {@code workers} (at least one). */
    public int workersOnBusiest(int workers) {
        return executors > 0 ? (workers + executors - 1) / executors : 1;
    }

    /**
     * Throws {@link IllegalArgumentException}, with one line naming the setting to raise, when {@code f} certainly
     * exceeds a limit: trainers above maxbytes, heap above the executor's heap less Spark's reserve, both above
     * maxphysicalbytes, or trainers above the container's overhead (YARN, Kubernetes). Warns when the limits
     * themselves do not fit the container ({@link #containerMismatch}).
     */
    public void check(ExecutorFootprint f, String what) {

        if (maxBytes > 0 && f.offHeapBytes() > maxBytes) {
            throw refused(what, "its trainers need at least " + mb(f.offHeapBytes()) + " off-heap, above JavaCPP's "
                    + "maxbytes (" + mb(maxBytes) + "): raise -Dorg.bytedeco.javacpp.maxbytes in "
                    + "spark.executor.extraJavaOptions, or lower --batch or spark.executor.cores");
        }
        if (overheadBytes > 0 && f.offHeapBytes() > overheadBytes) {
            throw refused(what, "its trainers need at least " + mb(f.offHeapBytes()) + " off-heap, above "
                    + "spark.executor.memoryOverhead (" + mb(overheadBytes) + "), so the cluster manager would kill "
                    + "the executor: raise spark.executor.memoryOverhead, to JavaCPP's maxbytes (" + mb(maxBytes)
                    + ") plus 384 MiB to cover all JavaCPP may allocate");
        }
        if (f.heapBytes() + SPARK_RESERVED > heapBytes) {
            throw refused(what, "it needs at least " + mb(f.heapBytes()) + " of heap besides Spark's 300 MB, above "
                    + "spark.executor.memory (" + mb(heapBytes) + "): raise spark.executor.memory");
        }
        if (maxPhysicalBytes > 0 && f.offHeapBytes() + f.heapBytes() + SPARK_RESERVED > maxPhysicalBytes) {
            throw refused(what, "it needs at least " + mb(f.offHeapBytes() + f.heapBytes() + SPARK_RESERVED)
                    + " resident, above JavaCPP's maxphysicalbytes (" + mb(maxPhysicalBytes) + "): raise "
                    + "-Dorg.bytedeco.javacpp.maxphysicalbytes in spark.executor.extraJavaOptions");
        }
        containerMismatch().ifPresent(LOG::warn);
    }

    /**
     * What in JavaCPP's limits the container cannot hold, when it enforces one: maxbytes above the overhead (the
     * executor is killed before JavaCPP refuses an allocation), or maxphysicalbytes above heap + overhead.
     */
    public Optional<String> containerMismatch() {
        if (overheadBytes > 0 && maxBytes > overheadBytes) {
            return Optional.of("JavaCPP's maxbytes (" + mb(maxBytes) + ") is above spark.executor.memoryOverhead ("
                    + mb(overheadBytes) + "): an executor's container can be killed before JavaCPP refuses an "
                    + "allocation; raise spark.executor.memoryOverhead to maxbytes plus 384 MiB");
        }
        if (overheadBytes > 0 && maxPhysicalBytes > heapBytes + overheadBytes) {
            return Optional.of("JavaCPP's maxphysicalbytes (" + mb(maxPhysicalBytes) + ") is above the container ("
                    + "spark.executor.memory + memoryOverhead = " + mb(heapBytes + overheadBytes) + "): lower "
                    + "-Dorg.bytedeco.javacpp.maxphysicalbytes or raise spark.executor.memoryOverhead");
        }
        return Optional.empty();
    }

    private static IllegalArgumentException refused(String what, String why) {
        return new IllegalArgumentException("an executor cannot hold " + what + " (" + why + ")");
    }

    private static Optional<String> option(Pattern p, String options) {
        Matcher m = p.matcher(options);
        String last = null;
        while (m.find()) {
            last = m.group(1);                       // the JVM takes the last of repeated -D options
        }
        return Optional.ofNullable(last);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }
}
