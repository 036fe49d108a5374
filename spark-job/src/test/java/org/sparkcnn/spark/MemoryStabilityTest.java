package org.sparkcnn.spark;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No off-heap growth during long runs: a child JVM whose heap is fully committed up front (-Xms = -Xmx,
 * AlwaysPreTouch), so that resident memory can only grow through native allocations, trains 10 epochs; its
 * resident memory after epoch 10 must be within 10% of that after epoch 2. Two set-ups: two single-core workers,
 * and one worker whose two-core task splits each minibatch over two threads.
 */
class MemoryStabilityTest {

    @ParameterizedTest(name = "{0} workers of {1} cores")
    @CsvSource({"2, 1", "1, 2"})
    void residentMemoryAfterEpoch10IsWithin10PercentOfEpoch2(int workers, int taskCpus) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xms768m", "-Xmx768m", "-XX:+AlwaysPreTouch", "-Dlog4j2.level=warn"));
        for (String opens : System.getProperty("test.add.opens", "").split(" ")) {
            if (!opens.isBlank()) {
                cmd.add(opens);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MemoryProbe.class.getName(),
                "../data/mnist-sample", Integer.toString(workers), Integer.toString(taskCpus)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "probe timed out");
        assertEquals(0, p.exitValue(), out);
        Map<Integer, Long> rss = new HashMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("rss ")) {
                String[] f = line.trim().split(" ");
                rss.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
            }
        }
        assertTrue(rss.containsKey(2) && rss.containsKey(10), out);
        System.out.printf("resident memory (%d workers of %d cores): epoch 2 %d KB, epoch 10 %d KB%n", workers,
                taskCpus, rss.get(2), rss.get(10));
        assertTrue(rss.get(10) <= 1.10 * rss.get(2), "resident memory grew: " + rss);
    }
}
