/** Image data: strict readers for the IDX file format (plain or gzipped, 1 or C channels) and in-memory image
 *  sets (one array, or chunks of one) that fill training batches straight into off-heap ND4J buffers. */
package org.sparkcnn.core.data;
