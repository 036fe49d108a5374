package org.sparkcnn.spark.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.core.Shape;

/**
 * Where a data set is read from. The driver learns only its description (shape, size); {@link #read} returns an RDD
 * whose tasks read the examples on the executors, as {@link ExampleChunk}s in source order.
 */
public interface ImageSource {
    /** What the source is, for messages ({@code "--data DIR (training set)"}). */
    String name();

    Shape shape();

    /** Examples the source holds (after any limit). */
    long size();

    /**
     * An RDD that reads the source on the executors. When {@link #aligned} holds, it has exactly {@code partitions}
     * partitions and partition p holds source indices [shardStart(size, partitions, p), shardStart(.., p+1)) in
     * order; otherwise its partitioning is the source's own. Every label is checked to be below {@code classes}, the
     * image size against {@link #shape}; a fault names the file and the row.
     */
    JavaRDD<ExampleChunk> read(JavaSparkContext sc, int partitions, int classes);

    /** Whether {@link #read} gives contiguous, equal shards without a shuffle. */
    boolean aligned();

    /**
     * Whether reading the source again costs much more than reading back what one read gave: a gzipped file is
     * decompressed whole by one task. {@link TrainingData} then keeps that read on the executors' disks for the
     * run's later reshuffles.
     */
    default boolean decodesOnRead() {
        return false;
    }
}
