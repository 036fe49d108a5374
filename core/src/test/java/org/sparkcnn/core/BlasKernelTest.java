package org.sparkcnn.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenBLAS kernel is asked of a child JVM once per machine and setting, then read from a cache file. */
class BlasKernelTest {

    @Test
    void theChildsAnswerIsCachedAndTheCacheIsWhatLaterJvmsRead(@TempDir Path dir) throws Exception {
        String before = System.getProperty(BlasKernel.CACHE_DIR);
        System.setProperty(BlasKernel.CACHE_DIR, dir.toString());
        try {
            Path cache = BlasKernel.cacheFile(dir);
            assertNotNull(cache, "Linux has /proc/cpuinfo");
            assertEquals(dir, cache.getParent());
            assertTrue(cache.getFileName().toString().matches("spark-cnn-blas-kernel-[0-9a-f]{16}"), cache.toString());
            assertEquals(cache, BlasKernel.cacheFile(dir), "the same machine and setting, the same file");

            String asked = BlasKernel.kernel();                       // no cache yet: the child JVM answers
            assertNotEquals("unknown", asked);
            assertEquals(asked + "\n", Files.readString(cache, StandardCharsets.UTF_8));
            try (var files = Files.list(dir)) {
                assertEquals(1, files.count(), "no temporary file left behind");
            }

            Files.writeString(cache, "Planted\n", StandardCharsets.UTF_8);
            assertEquals("Planted", BlasKernel.kernel(), "a later ask reads the cache, not a child");
        } finally {
            if (before == null) {
                System.clearProperty(BlasKernel.CACHE_DIR);
            } else {
                System.setProperty(BlasKernel.CACHE_DIR, before);
            }
        }
    }
}
