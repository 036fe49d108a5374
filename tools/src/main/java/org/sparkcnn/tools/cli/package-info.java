/** The tools module's part of the command line: {@code spark-cnn export}, added to spark-job's {@code Main} through
 *  {@link org.sparkcnn.spark.cli.CliExtension}. */
package org.sparkcnn.tools.cli;
