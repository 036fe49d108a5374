package org.sparkcnn.spark.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's Spark settings: local mode shares the cores among the workers; the user's choices win; without
 * --workers the started context's task slots are the workers.
 */
class SparkOptionsTest {
    static final int CORES = Runtime.getRuntime().availableProcessors();

    private static SparkOptions options(Integer workers, String master, String... pairs) {
        SparkOptions o = new SparkOptions();
        o.workers = workers;
        o.master = master;
        o.conf = List.of(pairs);
        return o;
    }

    private static SparkConf conf(Integer workers, String master, String... pairs) {
        return options(workers, master, pairs).sparkConf("test");
    }

    /** The workers {@code o} resolves once its context has started. */
    private static int startedWorkers(SparkOptions o) {
        try (JavaSparkContext sc = o.start("test")) {
            return o.workers(sc);
        }
    }

    @Test
    void oneLocalWorkerGetsEveryCore() {
        SparkConf c = conf(1, null);
        assertEquals("local[" + CORES + "]", c.get("spark.master"));
        if (CORES > 1) {
            assertEquals(Integer.toString(CORES), c.get("spark.task.cpus"));
        } else {
            assertFalse(c.contains("spark.task.cpus"));
        }
    }

    @Test
    void asManyWorkersAsCoresGetOneCoreEach() {
        SparkConf c = conf(CORES, null);
        assertEquals("local[" + CORES + "]", c.get("spark.master"));
        assertFalse(c.contains("spark.task.cpus"));
        SparkConf more = conf(2 * CORES + 1, null);                     // more workers than cores: time-shared
        assertEquals("local[" + (2 * CORES + 1) + "]", more.get("spark.master"));
        assertFalse(more.contains("spark.task.cpus"));
    }

    @Test
    void theUsersMasterAndTaskCpusWin() {
        SparkConf c = conf(1, "local[3]", "spark.task.cpus=3");
        assertEquals("local[3]", c.get("spark.master"));
        assertEquals("3", c.get("spark.task.cpus"));
        SparkConf d = conf(1, null, "spark.task.cpus=1");
        assertEquals("1", d.get("spark.task.cpus"));
    }

    @Test
    void onlyLocalModeListensOnLoopback() {
        for (SparkConf local : List.of(conf(2, null), conf(2, "local[2]"))) {
            assertEquals("127.0.0.1", local.get("spark.driver.host"));
            assertEquals("127.0.0.1", local.get("spark.driver.bindAddress"));
        }
        for (SparkConf cluster : List.of(conf(2, "spark://10.0.0.5:7077"), conf(2, null, "spark.master=yarn"))) {
            assertFalse(cluster.contains("spark.driver.host"), cluster.toDebugString());
            assertFalse(cluster.contains("spark.driver.bindAddress"));
        }
        assertEquals("10.1.2.3", conf(2, "local[2]", "spark.driver.host=10.1.2.3").get("spark.driver.host"));
    }

    @Test
    void withoutWorkersLocalModeHasOneWorkerPerCore() {
        SparkConf c = conf(null, null);
        assertEquals("local[" + CORES + "]", c.get("spark.master"));
        assertFalse(c.contains("spark.task.cpus"));
        assertEquals(CORES, options(null, null).workersBeforeStart());
        assertEquals(CORES, startedWorkers(options(null, null)));
    }

    /** A given master's task slots: its defaultParallelism (cores) over spark.task.cpus; --workers wins. */
    @Test
    void withoutWorkersAMastersTaskSlotsAreTheWorkers() {
        assertEquals(3, startedWorkers(options(null, "local[3]")));
        assertEquals(2, startedWorkers(options(null, "local[4]", "spark.task.cpus=2")));
        assertEquals(5, startedWorkers(options(null, "local[2]", "spark.default.parallelism=5")));
        assertEquals(7, startedWorkers(options(7, "local[3]")));
        assertEquals(7, options(7, "local[3]").workersBeforeStart());
    }

    /** On a cluster, without --workers, the context waits for every requested executor before the slots count. */
    @Test
    void withoutWorkersAClusterContextWaitsForItsExecutors() {
        assertEquals("1.0", conf(null, "spark://10.0.0.5:7077").get("spark.scheduler.minRegisteredResourcesRatio"));
        assertEquals("0.5", conf(null, "spark://10.0.0.5:7077", "spark.scheduler.minRegisteredResourcesRatio=0.5")
                .get("spark.scheduler.minRegisteredResourcesRatio"));
        assertFalse(conf(4, "spark://10.0.0.5:7077").contains("spark.scheduler.minRegisteredResourcesRatio"));
        assertFalse(conf(null, null).contains("spark.scheduler.minRegisteredResourcesRatio"));
    }

    @Test
    void helpDescribesTheWorkersDefault() {
        String help = new CommandLine(new Main()).getSubcommands().get("train").getUsageMessage();
        assertTrue(help.replaceAll("\\s+", " ").contains("Default: the task slots of the started Spark context, its "
                + "defaultParallelism"), help);
    }

    @Test
    void engineSettingsAreSet() {
        SparkConf c = conf(2, null);
        assertEquals("org.apache.spark.serializer.KryoSerializer", c.get("spark.serializer"));
        assertEquals("true", c.get("spark.kryo.registrationRequired"));
        assertEquals("false", c.get("spark.broadcast.compress"));
    }
}
