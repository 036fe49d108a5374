/** MNIST input: strict readers for the IDX file format (plain or gzipped) and the in-memory data set that
 *  fills training batches straight into off-heap ND4J buffers. */
package org.sparkcnn.core.data;
