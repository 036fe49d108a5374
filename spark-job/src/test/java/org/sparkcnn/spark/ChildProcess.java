package org.sparkcnn.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a child process for a test: its output (stderr merged) goes to a file, never to a pipe the test must drain,
 * the test waits at most a timeout, and a child still running then is killed with its descendants and fails the
 * test with the end of its output. A hung child cannot hang the build.
 */
final class ChildProcess {
    private ChildProcess() { }

    /** What the child did: its exit code and everything it wrote. */
    record Result(int exitCode, String output) { }

    static Result run(ProcessBuilder pb, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("child-", ".log");
        try {
            Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
                fail(String.join(" ", pb.command()) + " did not end within " + timeoutSeconds
                        + " s and was killed; it wrote:\n" + tail(Files.readString(log, StandardCharsets.UTF_8)));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }
}
