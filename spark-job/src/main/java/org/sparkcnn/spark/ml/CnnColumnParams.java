package org.sparkcnn.spark.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.sparkcnn.core.Shape;

/**
 * The columns and input format of a CNN classifier, shared by the estimator and its model (MLlib's
 * {@code HasFeaturesCol} and friends, written out): each param has a public no-argument method and a getter.
 */
public interface CnnColumnParams extends Params {
    /** This stage's Param objects (not a param). */
    ColumnParams columnParams();

    default Param<String> featuresCol() {
        return columnParams().featuresCol;
    }

    default Param<String> predictionCol() {
        return columnParams().predictionCol;
    }

    default Param<String> probabilityCol() {
        return columnParams().probabilityCol;
    }

    default Param<String> rawPredictionCol() {
        return columnParams().rawPredictionCol;
    }

    default Param<String> inputShape() {
        return columnParams().inputShape;
    }

    default DoubleParam inputScale() {
        return columnParams().inputScale;
    }

    default String getFeaturesCol() {
        return getOrDefault(featuresCol());
    }

    default String getPredictionCol() {
        return getOrDefault(predictionCol());
    }

    default String getProbabilityCol() {
        return getOrDefault(probabilityCol());
    }

    default String getRawPredictionCol() {
        return getOrDefault(rawPredictionCol());
    }

    default String getInputShape() {
        return getOrDefault(inputShape());
    }

    default double getInputScale() {
        return (Double) getOrDefault(inputScale());
    }

    /** {@link #getInputShape} as a shape. */
    default Shape inputShapeValue() {
        return ShapeText.parse(getInputShape()).orElseThrow();
    }

    /** The defaults: features, prediction, probability, rawPrediction, 1x28x28, values in [0, 1]. */
    default void setColumnDefaults() {
        setDefault(featuresCol(), "features");
        setDefault(predictionCol(), "prediction");
        setDefault(probabilityCol(), "probability");
        setDefault(rawPredictionCol(), "rawPrediction");
        setDefault(inputShape(), "1x28x28");
        setDefault(inputScale(), 1.0);
    }
}
