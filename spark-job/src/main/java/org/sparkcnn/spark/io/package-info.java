/** Job input and output on local or Hadoop file systems: datasets, atomic writes, checkpoints, metrics JSON, rounds.csv. */
package org.sparkcnn.spark.io;
