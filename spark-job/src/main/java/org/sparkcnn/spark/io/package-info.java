/** Job input and output on local or Hadoop file systems: datasets, atomic writes, checkpoints, metrics JSON. */
package org.sparkcnn.spark.io;
