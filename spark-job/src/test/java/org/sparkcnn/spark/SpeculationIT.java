package org.sparkcnn.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.cli.EventLogTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkcnn.spark.LocalClusterIT.MASTER;
import static org.sparkcnn.spark.LocalClusterIT.run;
import static org.sparkcnn.spark.LocalClusterIT.sparkJvmsLeft;

/**
 * Speculation on, with one task slowed: on a standalone cluster of two workers on two loopback addresses (Spark never
 * runs a speculative copy on the host of the original, so neither local mode nor one host would ever speculate),
 * worker 0's first attempt of round 2 waits 30 s after its first step; Spark runs a copy on the other host, the copy
 * finishes first, the original is killed ("another attempt succeeded", or "Stage finished"), and the model is
 * byte-identical to a run without speculation, on both aggregation paths.
 */
class SpeculationIT {
    static final List<String> SPECULATION = List.of("--conf", "spark.speculation=true",
            "--conf", "spark.speculation.multiplier=1.1", "--conf", "spark.speculation.quantile=0.1",
            "--conf", "spark.speculation.interval=100ms", "--conf", "spark.speculation.minTaskRuntime=100ms");

    @Test
    void aSpeculativeCopyOfASlowTaskChangesNoBit(@TempDir Path out) throws Exception {
        List<String> train = List.of("scripts/submit.sh", "--master", MASTER, "train",
                "--model", "conv5x5x8,maxpool2,dense32:relu,softmax10", "--epochs", "1", "--train-limit", "1200",
                "--batch", "32", "--workers", "2", "--local-steps", "3", "--progress", "none");
        run(Map.of("SPARK_CNN_WORKER_HOSTS", "distinct"), 120, "scripts/local-cluster.sh", "start", "2");
        try {
            List<String> reference = new ArrayList<>(train);
            reference.addAll(List.of("--aggregation", "driver", "--out", out.resolve("reference").toString()));
            long began = System.nanoTime();
            run(600, reference.toArray(String[]::new));
            double referenceSeconds = (System.nanoTime() - began) / 1e9;
            byte[] expected = Files.readAllBytes(out.resolve("reference/model.scnn"));
            for (String aggregation : List.of("driver", "executors")) {
                Path events = Files.createDirectories(out.resolve("events-" + aggregation));
                List<String> speculative = new ArrayList<>(train);
                speculative.addAll(SPECULATION);
                speculative.addAll(List.of("--conf", InjectedDelay.KEY + "=1:0:30000",
                        "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + events.toUri(),
                        "--aggregation", aggregation, "--out", out.resolve(aggregation).toString()));
                began = System.nanoTime();
                String log = run(600, speculative.toArray(String[]::new));
                double seconds = (System.nanoTime() - began) / 1e9;
                String eventLog = EventLogTest.eventLogText(events);
                assertTrue(eventLog.contains("\"Speculative\":true"), aggregation + ": no speculative task\n" + log);
                // the slowed attempt is killed (Spark's reason: "another attempt succeeded" or "Stage finished")
                assertTrue(eventLog.contains("\"Reason\":\"TaskKilled\""), aggregation
                        + ": the slowed attempt was not killed\n" + log);
                assertTrue(killedAnOriginalAttempt(eventLog), aggregation + ": the round waited for the slowed attempt "
                        + "(only speculative copies were killed; " + seconds + " s, " + referenceSeconds + " s without)");
                assertArrayEquals(expected, Files.readAllBytes(out.resolve(aggregation + "/model.scnn")),
                        aggregation + ": model differs from the run without speculation\n" + log);
            }
        } finally {
            run(120, "scripts/local-cluster.sh", "stop");
        }
        assertEquals(List.of(), sparkJvmsLeft(), "Spark JVMs still running after stop");
    }

    /**
     * True when the event log has a killed task that was not a speculative copy: the original attempt lost the race
     * and the round went on with its copy's result. (Had the round waited for the slowed attempt, only the copy
     * would have been killed.) Read from Spark's own events, so it does not depend on how loaded the machine is.
     */
    static boolean killedAnOriginalAttempt(String eventLog) throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (String line : eventLog.split("\n")) {
            if (!line.contains("\"SparkListenerTaskEnd\"")) {
                continue;
            }
            JsonNode event = json.readTree(line);
            if (event.path("Task End Reason").path("Reason").asText().equals("TaskKilled")
                    && !event.path("Task Info").path("Speculative").asBoolean(true)) {
                return true;
            }
        }
        return false;
    }
}
