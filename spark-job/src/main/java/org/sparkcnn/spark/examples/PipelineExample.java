package org.sparkcnn.spark.examples;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.spark.ml.CnnClassifier;

import java.util.Locale;

/**
 * A spark.ml Pipeline with spark-cnn's CnnClassifier: fit on Parquet training data, transform the test data,
 * score with MulticlassClassificationEvaluator, save the fitted PipelineModel, load it back and score again.
 *
 * <pre>
 * scripts/spark-cnn convert --out /tmp/mnist-parquet
 * SPARK_CNN_MAIN_CLASS=org.sparkcnn.spark.examples.PipelineExample scripts/submit.sh /tmp/mnist-parquet /tmp/model 5 2
 * </pre>
 * Arguments: a directory with Parquet {@code train/} and {@code test/} (label: int, image: binary C·H·W bytes),
 * where to save the model, epochs, workers.
 */
public final class PipelineExample {
    private PipelineExample() { }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: PipelineExample PARQUET_DIR MODEL_OUT EPOCHS WORKERS");
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().appName("spark-cnn pipeline example").getOrCreate();
        double accuracy = run(spark, args[0], args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        System.out.printf(Locale.ROOT, "accuracy %.4f%n", accuracy);
        spark.stop();
    }

    /** Fits, scores, saves, reloads and scores again; returns the accuracy, which must not change on reload. */
    public static double run(SparkSession spark, String data, String modelOut, int epochs, int workers)
            throws Exception {
        Dataset<Row> train = spark.read().parquet(data + "/train");
        Dataset<Row> test = spark.read().parquet(data + "/test");

        CnnClassifier cnn = new CnnClassifier()
                .setFeaturesCol("image")          // binary pixels; Vector or array<double> columns work as well
                .setLabelCol("label")
                .setInputShape("1x28x28")
                .setModelSpec("lenet")
                .setMaxEpochs(epochs)
                .setWorkers(workers);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {cnn}).fit(train);

        MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator()
                .setLabelCol("label").setMetricName("accuracy");
        double fitted = accuracy.evaluate(model.transform(test));

        model.write().overwrite().save(modelOut);
        double reloaded = accuracy.evaluate(PipelineModel.load(modelOut).transform(test));
        if (reloaded != fitted) {
            throw new IllegalStateException("the reloaded model scores " + reloaded + ", not " + fitted);
        }
        return fitted;
    }
}
