/** spark.ml for spark-cnn: the {@code CnnClassifier} estimator and its {@code CnnClassificationModel}, with
 * persistence in MLlib's layout. */
package org.sparkcnn.spark.ml;
