package org.sparkcnn.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A local-mode Spark context configured like production ({@link EngineConf}). */
public final class LocalSpark {
    private LocalSpark() { }

    public static JavaSparkContext start(String master) {
        return start(master, 1);
    }

    /** With {@code taskCpus} cores per task ({@code spark.task.cpus}). */
    public static JavaSparkContext start(String master, int taskCpus) {
        SparkConf conf = EngineConf.apply(new SparkConf().setMaster(master).setAppName("spark-cnn-test"))
                .set("spark.task.cpus", Integer.toString(taskCpus))
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        return new JavaSparkContext(conf);
    }
}
