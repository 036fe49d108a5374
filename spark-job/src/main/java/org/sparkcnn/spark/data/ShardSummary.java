package org.sparkcnn.spark.data;

import java.io.Serializable;

/**
 * What the driver learns of a cached shard: its size and how many examples carry each label.
 *
 * @param shard       the shard (partition) index
 * @param examples    examples in the shard
 * @param classCounts classCounts[k] examples with label k (256 entries: labels are unsigned bytes)
 */
public record ShardSummary(int shard, long examples, long[] classCounts) implements Serializable {
}
