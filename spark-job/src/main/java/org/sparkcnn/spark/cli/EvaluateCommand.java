package org.sparkcnn.spark.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.spark.io.MetricsReport;
import org.sparkcnn.spark.data.Sources;
import org.sparkcnn.spark.api.SparkCnn;
import org.sparkcnn.spark.api.TrainingInput;
import org.sparkcnn.spark.io.Redaction;
import org.sparkcnn.spark.io.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code spark-cnn evaluate}: a saved model on a data directory's test set, distributed over the workers. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Evaluate a saved model on the test set (t10k files) of a data directory.")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "a model.scnn written by train")
    String model;

    @Option(names = "--data", paramLabel = "DIR", description = "directory or URI with the t10k files; default: the "
            + "bundled sample")
    String data = Defaults.sampleData();

    @Option(names = "--out", paramLabel = "DIR", description = "write DIR/metrics.json")
    String out;

    @Option(names = "--train-set", description = "evaluate on the training files instead of t10k")
    boolean trainSet;

    @Option(names = "--config", paramLabel = "FILE", description = "properties file of defaults")
    String config;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        spark.validate();
        var conf = spark.sparkConf("spark-cnn evaluate");
        Storage storage = new Storage(SparkHadoopUtil.get().newConfiguration(conf));
        ModelFile.Model m = ModelInput.load(storage, model);
        try (JavaSparkContext sc = spark.start("spark-cnn evaluate");
             StopSignal.Attached stop = StopSignal.attach(sc, spark.verbose, () -> "")) {
            Metrics metrics = SparkCnn.evaluate(Sources.session(sc), TrainingInput.directory(data), trainSet, m.spec(),
                    m.params().toFloatVector(), spark.workers(sc));
            System.out.println(metrics.toTable());
            if (out != null) {
                Map<String, Object> report = MetricsReport.evaluation(metrics);
                report.put("model", model);
                report.put("data", data);
                storage.write(Storage.join(out, "metrics.json"), MetricsReport.toJson(report));
                System.out.println("wrote " + Redaction.uri(Storage.join(out, "metrics.json")));
            }
        }
        return 0;
    }
}
