/** Benchmarks run by hand as plain main classes (never as timed tests): the training step of core on one
 *  thread, its per-layer breakdown, and the BLAS ceiling it works against. */
package org.sparkcnn.core.bench;
