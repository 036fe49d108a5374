/** Deeplearning4j's Spark trainer (ParameterAveragingTrainingMaster) on our plan, as {@code train --engine
 *  dl4j-spark}, and the engine benchmark that races it against ours. dl4j-spark exists for Scala 2.12 only, so this
 *  module is built with the spark-3.5 profile only. */
package org.sparkcnn.dl4jspark;
