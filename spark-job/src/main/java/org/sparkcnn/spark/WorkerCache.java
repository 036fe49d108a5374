package org.sparkcnn.spark;

import org.sparkcnn.core.train.LocalTrainer;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Executor-side cache of trainers (network, optimizer, minibatch and layer buffers) by run and worker, so a
 * worker reuses its off-heap buffers round after round instead of allocating fresh ones: the round's result
 * depends only on the broadcast, which overwrites parameters and state at the start of every task.
 */
final class WorkerCache {
    private static final ConcurrentHashMap<String, LocalTrainer> TRAINERS = new ConcurrentHashMap<>();

    private WorkerCache() { }

    static LocalTrainer trainer(String runId, int worker, TrainingPlan plan) {
        String key = runId + "/" + worker;
        TRAINERS.keySet().removeIf(k -> !k.startsWith(runId + "/"));     // drop trainers of finished runs
        return TRAINERS.computeIfAbsent(key, k -> new LocalTrainer(plan.spec(), plan.optimizer()));
    }

    /** Forgets the trainers of a run (called on the driver when a run ends; executors die with the application). */
    static void release(String runId) {
        TRAINERS.keySet().removeIf(k -> k.startsWith(runId + "/"));
    }
}
