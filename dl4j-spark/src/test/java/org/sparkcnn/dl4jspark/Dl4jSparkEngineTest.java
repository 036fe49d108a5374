package org.sparkcnn.dl4jspark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.spark.DistributedEvaluation;
import org.sparkcnn.spark.EngineConf;
import org.sparkcnn.spark.data.ArraySource;
import org.sparkcnn.spark.data.Layout;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.TrainingPlan;
import org.sparkcnn.tools.dl4j.Dl4jModels;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DL4J's own Spark trainer on our model and data, in local mode, evaluated by our distributed evaluation. */
class Dl4jSparkEngineTest {
    private static final Path SAMPLE = Path.of("../data/mnist-sample");

    @Test
    void lenetOnTwoWorkersTauFiveLearnsTheSampleInOneEpoch() throws Exception {
        ImageArray train = ImageArray.load(SAMPLE, true);
        ImageArray test = ImageArray.load(SAMPLE, false);
        ModelSpec lenet = Presets.resolve("lenet");
        TrainingPlan plan = new TrainingPlan(lenet, OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.01), 2, 5, 0,
                64, 1, 1, true);
        float[] initial = new Network(lenet).initialize(1).params().toFloatVector();
        SparkConf conf = Dl4jSparkEngine.configure(EngineConf.apply(new SparkConf())
                .setMaster("local[2]").setAppName("dl4j-engine-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            Dl4jSparkEngine.Result r = new Dl4jSparkEngine(sc, plan).train(train, initial);
            Metrics m = Metrics.of(DistributedEvaluation.evaluate(sc, lenet, r.params(),
                    Shards.place(sc, new ArraySource(test, "test set"), 2, 10, Layout.sourceOrder(test.size()))));
            System.out.printf("DL4J Spark lenet, 2 workers, tau 5, 1 epoch on %d digits: %.1f s, %d averagings, "
                    + "test accuracy %.4f%n", train.size(), r.trainSeconds(), r.averagings(), m.accuracy());
            assertEquals(lenet.paramCount(), r.params().length);
            assertEquals(train.size(), r.examples());
            assertTrue(m.accuracy() > 0.8, "test accuracy " + m.accuracy());
        } finally {
            sc.stop();
        }
    }

    @Test
    void fromNetworkInvertsTheCopyIntoDl4j() {
        ModelSpec lenet = Presets.resolve("lenet");
        float[] params = new Network(lenet).initialize(3).params().toFloatVector();
        float[] back = Dl4jModels.fromNetwork(lenet, Dl4jModels.toNetwork(lenet, Nd4j.createFromArray(params)));
        assertArrayEquals(params, back);
    }

    @Test
    void plainMomentumIsRefusedBecauseDl4jHasOnlyNesterov() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dl4jModels.updater(OptimizerConfig.of(OptimizerConfig.Kind.MOMENTUM, 0.01)));
        assertTrue(e.getMessage().contains("Nesterov"));
    }
}
