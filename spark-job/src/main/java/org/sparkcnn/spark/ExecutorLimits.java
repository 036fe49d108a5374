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
 *       allocation is off, one otherwise.</li>
 * </ul>
 * Local masters are not checked: their executor is the driver's JVM, whose limits were fixed when it started.
 *
 * @param heapBytes          the executor's heap
 * @param maxBytes           JavaCPP's cap on off-heap allocations
 * @param maxPhysicalBytes   JavaCPP's cap on the resident size (0: none)
 * @param slots              tasks one executor runs at once
 * @param executors          executors of the application, 0 when unknown
 */
public record ExecutorLimits(long heapBytes, long maxBytes, long maxPhysicalBytes, int slots, int executors) {
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
        return new ExecutorLimits(heap, maxBytes, maxPhysical, slots, executors);
    }

    /** Workers on the executor that hosts the most of {@code workers} (at least one). */
    public int workersOnBusiest(int workers) {
        return executors > 0 ? (workers + executors - 1) / executors : 1;
    }

    /**
     * Throws {@link IllegalArgumentException}, with one line naming the setting to raise, when {@code f} certainly
     * exceeds a limit: trainers above maxbytes, heap above the executor's heap less Spark's reserve, or both above
     * maxphysicalbytes.
     */
    public void check(ExecutorFootprint f, String what) {
        if (maxBytes > 0 && f.offHeapBytes() > maxBytes) {
            throw refused(what, "its trainers need at least " + mb(f.offHeapBytes()) + " off-heap, above JavaCPP's "
                    + "maxbytes (" + mb(maxBytes) + "): raise -Dorg.bytedeco.javacpp.maxbytes in "
                    + "spark.executor.extraJavaOptions, or lower --batch or spark.executor.cores");
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
