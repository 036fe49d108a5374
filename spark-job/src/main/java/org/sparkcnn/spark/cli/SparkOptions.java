package org.sparkcnn.spark.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.spark.EngineConf;
import picocli.CommandLine.Help;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Options every Spark-running subcommand shares: master, workers, SparkConf pairs, verbosity. */
final class SparkOptions {
    @Option(names = "--master", description = "Spark master URL (default: what spark-submit set, else local mode "
            + "on all cores, each worker's task using cores/workers of them)")
    String master;

    @Option(names = "--workers", paramLabel = "N", showDefaultValue = Help.Visibility.NEVER, description = "number "
            + "of workers (shards, tasks per round). Default: the task slots of the started Spark context, its "
            + "defaultParallelism / spark.task.cpus: with --master (or spark-submit's) the executors' cores registered "
            + "when the context is ready, in local mode without --master this machine's cores")
    Integer workers;

    @Option(names = "--conf", description = "a SparkConf setting key=value (repeatable)")
    List<String> conf = new ArrayList<>();

    @Option(names = "--verbose", description = "print stack traces and Spark's own progress")
    boolean verbose;

    void validate() {
        if (workers != null && workers < 1) {
            throw new UserError("--workers must be at least 1, got " + workers);
        }
    }

    /** The workers as known before the context starts: --workers, else this machine's cores (local mode's). */
    int workersBeforeStart() {
        return workers != null ? workers : Runtime.getRuntime().availableProcessors();
    }

    /**
     * The workers of a started context: --workers, else its task slots, defaultParallelism (the executors' cores,
     * or spark.default.parallelism when set) divided by spark.task.cpus, at least 1. On a cluster the executors
     * register after the context starts: Spark's scheduler waits for
     * {@code spark.scheduler.minRegisteredResourcesRatio} of the requested ones (set to 1 here when --workers is
     * not given; it counts on YARN and Kubernetes, and on standalone with spark.cores.max), and this waits, up to
     * {@code spark.scheduler.maxRegisteredResourcesWaitingTime}, until executors have registered and no more have
     * come for a second (a standalone master without spark.cores.max starts all of them at once).
     */
    int workers(JavaSparkContext sc) {
        if (workers != null) {
            return workers;
        }
        SparkConf c = sc.getConf();
        if (!sc.isLocal()) {
            awaitExecutors(sc, c.getTimeAsMs("spark.scheduler.maxRegisteredResourcesWaitingTime", "30s"));
        }
        int slots = c.contains("spark.default.parallelism") ? sc.defaultParallelism()
                : sc.defaultParallelism() / c.getInt("spark.task.cpus", 1);
        return Math.max(1, slots);
    }

    private static void awaitExecutors(JavaSparkContext sc, long timeoutMs) {
        long start = System.currentTimeMillis();
        long changed = start;
        int seen = executors(sc);
        while (System.currentTimeMillis() - start < timeoutMs) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int now = executors(sc);
            if (now != seen) {
                seen = now;
                changed = System.currentTimeMillis();
            } else if (seen > 0 && System.currentTimeMillis() - changed >= 1000) {
                return;
            }
        }
    }

    /** Registered executors (the status tracker lists the driver too). */
    private static int executors(JavaSparkContext sc) {
        return sc.sc().statusTracker().getExecutorInfos().length - 1;
    }

    /** The SparkConf: Kryo with the project's registrator in strict mode, then the user's --conf pairs. */
    SparkConf sparkConf(String appName) {
        return sparkConf(appName, c -> { });
    }

    /**
     * The SparkConf, with an engine's own settings ({@link TrainEngine#configure}) applied after the project's.
     * The user's --conf pairs come last and win. A standalone master that refuses the secret is reported here
     * ({@link MasterAuth}).
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
            int n = workersBeforeStart();
            c.setMaster("local[" + Math.max(n, cores) + "]");
            if (cores / n > 1 && !c.contains("spark.task.cpus")) {
                c.set("spark.task.cpus", Integer.toString(cores / n));
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
        } else if (workers == null) {
            // The workers are the cluster's task slots: the context is ready once all requested executors are there.
            c.setIfMissing("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        }
        MasterAuth.check(c);
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
