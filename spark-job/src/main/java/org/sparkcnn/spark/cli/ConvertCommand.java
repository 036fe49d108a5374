package org.sparkcnn.spark.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.sparkcnn.spark.data.IdxSource;
import org.sparkcnn.spark.data.ParquetExport;
import org.sparkcnn.spark.data.Sources;
import org.sparkcnn.spark.io.Redaction;
import org.sparkcnn.spark.io.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * {@code spark-cnn convert}: an IDX data directory as Parquet, {@code OUT/train} and {@code OUT/test}, read and
 * written by the executors ({@link ParquetExport}: label, image bytes and source index). {@code --data OUT} then
 * trains on the same examples in the same order as {@code --data DIR}. OUT appears whole or not at all.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Convert an IDX data directory to Parquet (OUT/train, OUT/test) for --data.")
final class ConvertCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", description = "directory or URI with the IDX files; default: the "
            + "bundled sample")
    String data = Defaults.sampleData();

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "the new directory to write")
    String out;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        spark.validate();
        Storage storage = new Storage(SparkHadoopUtil.get().newConfiguration(spark.sparkConf("spark-cnn convert")));
        if (storage.exists(out)) {
            throw new UserError("--out " + out + " exists; convert writes a new directory");
        }
        IdxSource train = open(true);
        IdxSource test = open(false);
        try (JavaSparkContext sc = spark.start("spark-cnn convert");
             StopSignal.Attached stop = StopSignal.attach(sc, spark.verbose, () -> "")) {
            var session = Sources.session(sc);
            int workers = spark.workers(sc);
            storage.writeDirectory(out, tmp -> {
                ParquetExport.write(session, train, workers, Storage.join(tmp, Sources.partName(true)));
                ParquetExport.write(session, test, workers, Storage.join(tmp, Sources.partName(false)));
            });
        }
        System.out.println("wrote " + Redaction.uri(out) + ": " + train.size() + " training and " + test.size()
                + " test examples of " + train.shape() + " (train/, test/)");
        return 0;
    }

    private IdxSource open(boolean trainPart) {
        try {
            return IdxSource.open(data, trainPart, 0);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("--data " + data + ": " + e.getMessage());
        }
    }
}
