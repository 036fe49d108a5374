package org.sparkcnn.spark;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No off-heap growth during long runs: a child JVM whose heap is fully committed up front (-Xms = -Xmx,
 * AlwaysPreTouch), so that resident memory can only grow through native allocations, trains 10 epochs; its
 * resident memory after epoch 10 must be within 10% of that after epoch 2. Three set-ups: two single-core workers,
 * one worker whose two-core task splits each minibatch over two threads, and two workers averaging on the executors
 * every step (190 rounds), whose exchange blocks must not accumulate: the block managers' storage after epoch 10
 * is that after epoch 2, give or take one round's blocks.
 */
class MemoryStabilityTest {

    @ParameterizedTest(name = "{0} workers of {1} cores, averaging on the {2}, tau {3}")
    @CsvSource({"2, 1, driver, 3", "1, 2, driver, 3", "2, 1, executors, 1"})
    void residentMemoryAfterEpoch10IsWithin10PercentOfEpoch2(int workers, int taskCpus, String aggregation, int tau)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xms768m", "-Xmx768m", "-XX:+AlwaysPreTouch", "-Dlog4j2.level=warn"));
        for (String opens : System.getProperty("test.add.opens", "").split(" ")) {
            if (!opens.isBlank()) {
                cmd.add(opens);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MemoryProbe.class.getName(),
                "../data/mnist-sample", Integer.toString(workers), Integer.toString(taskCpus), aggregation,
                Integer.toString(tau)));
        ChildProcess.Result probe = ChildProcess.run(new ProcessBuilder(cmd), 300);
        String out = probe.output();
        assertEquals(0, probe.exitCode(), out);
        Map<Integer, Long> rss = new HashMap<>();
        Map<Integer, Long> storage = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (line.startsWith("rss ")) {
                rss.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
            } else if (line.startsWith("storage ")) {
                storage.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
            }
        }
        // Removal of a finished round's blocks is asynchronous, so one round's blocks (~2 MB here) may still be
        // counted; 150 leaked rounds would be hundreds of MB.
        assertTrue(Math.abs(storage.get(10) - storage.get(2)) <= 8L << 20, "block manager storage grew: " + storage);
        assertTrue(rss.containsKey(2) && rss.containsKey(10), out);
        System.out.printf("resident memory (%d workers of %d cores): epoch 2 %d KB, epoch 10 %d KB%n", workers,
                taskCpus, rss.get(2), rss.get(10));
        assertTrue(rss.get(10) <= 1.10 * rss.get(2), "resident memory grew: " + rss);
    }
}
