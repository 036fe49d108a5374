package org.sparkcnn.spark;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hung child fails the test at its timeout and is killed; a child that writes more than a pipe holds finishes. */
class ChildProcessTest {

    @Test
    void aHungChildIsKilledAtTheTimeout() {
        long start = System.nanoTime();
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> ChildProcess.run(
                new ProcessBuilder("bash", "-c", "echo started; sleep 600 & wait"), 2));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 10, "took " + seconds + " s");
        assertTrue(e.getMessage().contains("did not end within 2 s and was killed; it wrote:\nstarted"), e.getMessage());
        List<ProcessHandle> sleeps = ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").equals("sleep 600")).toList();
        assertFalse(sleeps.stream().anyMatch(h -> h.parent().map(ProcessHandle::pid).orElse(-1L)
                == ProcessHandle.current().pid()), "a child was left running");
    }

    @Test
    void aChildWritingMoreThanAPipeHoldsEnds() throws Exception {
        ChildProcess.Result r = ChildProcess.run(new ProcessBuilder("bash", "-c", "head -c 1048576 /dev/zero | tr '\\0' x; exit 3"), 60);
        assertEquals(3, r.exitCode());
        assertEquals(1 << 20, r.output().length());
    }
}
