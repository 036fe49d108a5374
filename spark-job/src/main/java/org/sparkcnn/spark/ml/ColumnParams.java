package org.sparkcnn.spark.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

import java.io.Serializable;

/**
 * The Param objects {@link CnnClassifier} and {@link CnnClassificationModel} share, owned by one stage; reached
 * through the {@link CnnColumnParams} methods, not directly.
 */
public final class ColumnParams implements Serializable {
    private static final long serialVersionUID = 1L;
    final Param<String> featuresCol;
    final Param<String> predictionCol;
    final Param<String> probabilityCol;
    final Param<String> rawPredictionCol;
    final Param<String> inputShape;
    final DoubleParam inputScale;

    ColumnParams(Params owner) {
        featuresCol = new Param<>(owner, "featuresCol", "features column: an ml.linalg.Vector, array<float> or "
                + "array<double> of C*H*W pixel values in c-order (channel, row, column)");
        predictionCol = new Param<>(owner, "predictionCol", "prediction column name (the class index, a double); "
                + "empty: none");
        probabilityCol = new Param<>(owner, "probabilityCol", "column of class probabilities (a Vector); empty: none");
        rawPredictionCol = new Param<>(owner, "rawPredictionCol", "column of raw predictions (a Vector of logits); "
                + "empty: none");
        inputShape = new Param<>(owner, "inputShape", "image shape CxHxW, e.g. 1x28x28",
                (scala.Function1<String, Object>) s -> ShapeText.parse(s).isPresent());
        inputScale = new DoubleParam(owner, "inputScale", "the largest pixel value: 1 for values in [0, 1], 255 for "
                + "raw 0-255 values", ParamValidators.gt(0));
    }
}
