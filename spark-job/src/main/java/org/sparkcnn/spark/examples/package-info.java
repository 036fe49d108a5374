/** Runnable examples of the library API, shipped in the job jar so that spark-submit can run them; the README
 * quotes them and a test checks the quotation. */
package org.sparkcnn.spark.examples;
