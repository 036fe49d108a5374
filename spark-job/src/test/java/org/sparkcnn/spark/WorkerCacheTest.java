package org.sparkcnn.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.core.train.LocalTrainer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The executor's caches stay bounded: idle trainers by the task slots, epoch orders by the most recent workers. */
class WorkerCacheTest {
    private static final ModelSpec SPEC = Presets.resolve("conv3x3x2,maxpool2,softmax10");

    @AfterEach
    void release() {
        WorkerCache.release("a");
        WorkerCache.release("b");
    }

    private static LocalTrainer fresh() {
        return new LocalTrainer(SPEC, OptimizerConfig.of(OptimizerConfig.Kind.SGD, 0.1), 1);
    }

    @Test
    void aBurstOfTasksLeavesNoMoreIdleTrainersThanSlots() {
        List<LocalTrainer> running = new ArrayList<>();
        for (int i = 0; i < 5; i++) {                       // e.g. retries and speculative copies beside 2 slots
            running.add(WorkerCache.take("a", 1, WorkerCacheTest::fresh));
        }
        running.forEach(t -> WorkerCache.giveBack("a", 1, t, 2));
        assertEquals(2, WorkerCache.idleTrainers(), "idle trainers beyond the 2 slots are closed");
        LocalTrainer reused = WorkerCache.take("a", 1, WorkerCacheTest::fresh);
        assertSame(running.get(1), reused, "the last one kept is handed out first");
        WorkerCache.giveBack("a", 1, reused, 2);
    }

    @Test
    void anotherRunsTaskDropsTheFinishedRunsTrainers() {
        LocalTrainer a = WorkerCache.take("a", 1, WorkerCacheTest::fresh);
        WorkerCache.giveBack("a", 1, a, 2);
        assertEquals(1, WorkerCache.idleTrainers());
        LocalTrainer b = WorkerCache.take("b", 1, WorkerCacheTest::fresh);
        assertNotSame(a, b);
        assertEquals(0, WorkerCache.idleTrainers(), "run a's idle trainer was closed when run b's task started");
        WorkerCache.giveBack("a", 1, a, 2);                 // a late task of run a: closed, not pooled
        assertEquals(0, WorkerCache.idleTrainers());
        b.close();
    }

    @Test
    void epochOrdersAreKeptForTheMostRecentWorkersOnly() {
        AtomicInteger computed = new AtomicInteger();
        int workers = WorkerCache.MAX_ORDERS + 36;
        for (int w = 0; w < workers; w++) {
            WorkerCache.order("a", w, 0, () -> {
                computed.incrementAndGet();
                return new int[1000];
            });
        }
        assertEquals(WorkerCache.MAX_ORDERS, WorkerCache.orders());
        int[] recent = WorkerCache.order("a", workers - 1, 0, () -> new int[1]);
        assertEquals(1000, recent.length, "a recent worker's order is reused");
        int[] evicted = WorkerCache.order("a", 0, 0, () -> new int[1]);
        assertEquals(1, evicted.length, "the least recently used worker's order was evicted and is recomputed");
        assertEquals(workers, computed.get());
    }

    @Test
    void taskSlotsFollowTheMasterAndTheExecutorCores() {
        assertEquals(4, WorkerCache.taskSlots(new SparkConf(false).set("spark.master", "local[8]"), 2));
        assertEquals(3, WorkerCache.taskSlots(new SparkConf(false).set("spark.master", "local[3,2]"), 1));
        assertEquals(Runtime.getRuntime().availableProcessors(),
                WorkerCache.taskSlots(new SparkConf(false).set("spark.master", "local[*]"), 1));
        assertEquals(2, WorkerCache.taskSlots(new SparkConf(false).set("spark.master", "yarn")
                .set("spark.executor.cores", "4"), 2));
        assertEquals(1, WorkerCache.taskSlots(new SparkConf(false).set("spark.master", "yarn")
                .set("spark.executor.cores", "1"), 4));
    }
}
