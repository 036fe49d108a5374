/** The command line: {@code spark-cnn train | evaluate | predict | convert} (export and other engines come from
 *  other modules through {@link org.sparkcnn.spark.cli.CliExtension}), config files, exit codes (0 ok, 1 internal
 *  failure, 2 bad input or option, 3 training diverged). */
package org.sparkcnn.spark.cli;
