/**
 * The parameter exchange between executors: vectors cut into slices and kept in Spark's block manager, so that
 * averaging runs on the executors and the driver never holds N models.
 */
package org.sparkcnn.spark.exchange;
