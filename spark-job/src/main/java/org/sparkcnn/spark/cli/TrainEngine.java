package org.sparkcnn.spark.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.spark.TrainingPlan;
import org.sparkcnn.spark.api.RunOutputs;

import java.util.Map;

/**
 * A training engine other than the native one, for {@code train --engine NAME} (an A/B comparison on the same plan,
 * data and initial parameters). Such an engine reads the whole data set into the driver and supports none of
 * {@code --resume}, {@code --checkpoint-every} and {@code --eval-every-epoch}. Provided through {@link CliExtension}.
 */
public interface TrainEngine {

    /** The value of {@code --engine}. */
    String name();

    /** Settings the engine needs before the SparkContext starts; the user's {@code --conf} pairs are applied after. */
    void configure(SparkConf conf);

    /** Trains, evaluates on {@code run.test()} and writes model.scnn and metrics.json; returns the exit code. */
    int train(Run run) throws Exception;

    /**
     * One {@code train} invocation.
     *
     * @param configuration     the resolved settings, written to metrics.json as {@code configuration}
     * @param progress          the {@code --progress} mode: auto, bar, lines or none
     * @param evalEveryRounds   evaluate after every K averaging rounds (0: only at the end)
     */
    record Run(JavaSparkContext sc, TrainingPlan plan, RunOutputs outputs, Map<String, Object> configuration,
               String progress, ImageArray train, ImageArray test, long seed, int evalEveryRounds) { }
}
