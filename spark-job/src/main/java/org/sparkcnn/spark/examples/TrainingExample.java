package org.sparkcnn.spark.examples;

import org.apache.spark.sql.SparkSession;
import org.sparkcnn.spark.RoundStats;
import org.sparkcnn.spark.api.RunOptions;
import org.sparkcnn.spark.api.SparkCnn;
import org.sparkcnn.spark.api.TrainingConfig;
import org.sparkcnn.spark.api.TrainingInput;
import org.sparkcnn.spark.api.TrainingListener;
import org.sparkcnn.spark.api.TrainingResult;

import java.util.Locale;

/**
 * The driver API without spark.ml: train on a directory of IDX or Parquet files from the application's own
 * SparkSession, hear every round, write the run's files, and read the test accuracy from the result.
 * Arguments: the data directory, the output directory, epochs, workers.
 */
public final class TrainingExample {
    private TrainingExample() { }

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().appName("spark-cnn training example").getOrCreate();
        double accuracy = run(spark, args[0], args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        System.out.printf(Locale.ROOT, "accuracy %.4f%n", accuracy);
        spark.stop();
    }

    /** Trains lenet and returns its test accuracy. */
    public static double run(SparkSession spark, String data, String out, int epochs, int workers) {
        TrainingConfig config = TrainingConfig.builder()
                .model("lenet").workers(workers).epochs(epochs).localSteps(5).batch(64).lr(0.02).seed(1)
                .build();
        RunOptions options = RunOptions.builder()
                .output(out)                      // model.scnn, metrics.json, rounds.csv, checkpoints/
                .evalEveryEpoch(true)
                .listener(new TrainingListener() {
                    @Override
                    public void onRound(RoundStats round, int globalRound, double imagesPerSecond) {
                        System.out.printf(Locale.ROOT, "round %d: loss %.4f%n", globalRound, round.trainLoss());
                    }
                })
                .build();
        TrainingResult result = SparkCnn.train(spark, TrainingInput.directory(data), config, options);
        return result.test().orElseThrow().accuracy();
    }
}
