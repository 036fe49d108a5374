package org.sparkcnn.spark;

import org.sparkcnn.core.train.LocalTrainer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Executor-side cache of trainers (network, optimizer, minibatch and layer buffers) by run and worker, so a
 * worker reuses its off-heap buffers round after round instead of allocating fresh ones: the round's result
 * depends only on the broadcast, which overwrites parameters and state at the start of every task.
 */
final class WorkerCache {
    private static final ConcurrentHashMap<String, LocalTrainer> TRAINERS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, EpochOrder> ORDERS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Gathered> GATHERED = new ConcurrentHashMap<>();

    /** A worker's visiting order of its shard in one epoch. */
    private record EpochOrder(int epoch, int[] order) { }

    /** A run's averaged vector of one round, as read from the exchange blocks of group {@code group}. */
    private record Gathered(int group, float[] vector) { }

    private WorkerCache() { }

    /**
     * The averaged vector of exchange group {@code group}, gathered once per executor: the first task of the round
     * on this executor fetches it, the executor's other tasks of the round wait for it and share it (read only).
     */
    static float[] gathered(String runId, int group, java.util.function.Supplier<float[]> gather) {
        return GATHERED.compute(runId, (k, g) -> g != null && g.group() == group ? g
                : new Gathered(group, gather.get())).vector();
    }

    /** Worker {@code worker}'s trainer of run {@code runId}, computing each step on {@code threads} threads. */
    static LocalTrainer trainer(String runId, int worker, TrainingPlan plan, int threads) {
        String key = runId + "/" + worker + "/" + threads;
        drop(k -> !k.startsWith(runId + "/"));                          // trainers of finished runs
        return TRAINERS.computeIfAbsent(key, k -> new LocalTrainer(plan.spec(), plan.optimizer(), threads));
    }

    /**
     * Worker {@code worker}'s order of its shard in {@code epoch}, computed once per epoch (rounds of the same epoch
     * reuse it; a worker keeps only its latest).
     */
    static int[] order(String runId, int worker, int epoch, java.util.function.Supplier<int[]> compute) {
        String key = runId + "/" + worker;
        EpochOrder o = ORDERS.get(key);
        if (o == null || o.epoch() != epoch) {
            o = new EpochOrder(epoch, compute.get());
            ORDERS.put(key, o);
        }
        return o.order();
    }

    /** Forgets the trainers of a run (called on the driver when a run ends; executors die with the application). */
    static void release(String runId) {
        drop(k -> k.startsWith(runId + "/"));
    }

    private static void drop(Predicate<String> which) {
        ORDERS.keySet().removeIf(which);
        GATHERED.keySet().removeIf(k -> which.test(k + "/"));
        TRAINERS.entrySet().removeIf(e -> {
            if (which.test(e.getKey())) {
                e.getValue().close();
                return true;
            }
            return false;
        });
    }
}
