package org.sparkcnn.spark.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.spark.EngineConf;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Options every Spark-running subcommand shares: master, workers, SparkConf pairs, verbosity. */
final class SparkOptions {
    @Option(names = "--master", description = "Spark master URL (default: what spark-submit set, else local mode "
            + "on all cores, each worker's task using cores/workers of them)")
    String master;

    @Option(names = "--workers", description = "number of workers (shards, tasks per round); default: cores")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--conf", description = "a SparkConf setting key=value (repeatable)")
    List<String> conf = new ArrayList<>();

    @Option(names = "--verbose", description = "print stack traces and Spark's own progress")
    boolean verbose;

    void validate() {
        if (workers < 1) {
            throw new UserError("--workers must be at least 1, got " + workers);
        }
    }

    /** The SparkConf: Kryo with the project's registrator in strict mode, then the user's --conf pairs. */
    SparkConf sparkConf(String appName) {
        return sparkConf(appName, c -> { });
    }

    /**
     * The SparkConf, with an engine's own settings ({@link TrainEngine#configure}) applied after the project's.
     * The user's --conf pairs come last and win.
     */
    SparkConf sparkConf(String appName, Consumer<SparkConf> engine) {
        SparkConf c = EngineConf.apply(new SparkConf().setAppName(appName))
                .set("spark.ui.showConsoleProgress", "false");
        engine.accept(c);
        if (master != null) {
            c.setMaster(master);
        } else if (!c.contains("spark.master")) {
            // Local mode: every worker's task gets an equal share of this machine's cores (at least one).
            int cores = Runtime.getRuntime().availableProcessors();
            c.setMaster("local[" + Math.max(workers, cores) + "]");
            if (cores / workers > 1 && !c.contains("spark.task.cpus")) {
                c.set("spark.task.cpus", Integer.toString(cores / workers));
            }
        }
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--conf expects key=value, got '" + kv + "'");
            }
            c.set(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        // Local mode listens on loopback only; any other master (from --master in either form, a config file's
        // spark.master or spark-submit) needs the driver reachable from the executors, so it is left alone.
        if (c.get("spark.master", "").startsWith("local")) {
            c.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        return c;
    }

    JavaSparkContext start(String appName) {
        JavaSparkContext sc = new JavaSparkContext(sparkConf(appName));
        if (!verbose) {
            sc.setLogLevel("WARN");
        }
        return sc;
    }
}
