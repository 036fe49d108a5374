/** The engine benchmark (run by scripts/bench-warm.sh, never by the tests): our Spark trainer, DL4J single-process and
 *  DL4J's Spark trainer on the same model, data, workers and τ, one engine per JVM, summarized in one table. */
package org.sparkcnn.dl4jspark.bench;
