/** The data plane: executors read the training and test sets from storage (IDX by byte ranges, gzipped IDX in one
 *  task per file, Parquet or any Spark Dataset by its own partitions) and keep them as cached shards, one RDD
 *  partition per worker; the driver sees only headers, schemas and counts. */
package org.sparkcnn.spark.data;
