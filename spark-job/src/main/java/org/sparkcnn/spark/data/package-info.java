/** The data plane: executors read the training and test sets from storage (IDX by byte ranges, gzipped IDX in one
 *  task per file) and keep them as cached shards, one RDD partition per worker; the driver sees only headers. */
package org.sparkcnn.spark.data;
