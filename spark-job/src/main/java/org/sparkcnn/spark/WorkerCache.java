package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.sparkcnn.core.train.LocalTrainer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Predicate;

/**
 * Executor-side caches of a run. Trainers (network, optimizer, minibatch and layer buffers) are pooled per run, so a
 * task reuses off-heap buffers round after round instead of allocating fresh ones; a task borrows an idle trainer and
 * gives it back when it ends. Any trainer serves any worker: a round's result depends only on the model it starts
 * from, which overwrites parameters and state at the start of every task (RoundRetryTest). So an executor keeps as
 * many trainers as it ran tasks at once, however many workers it serves in waves, and two attempts of one worker
 * (a retry beside a speculative copy) never share one.
 */
final class WorkerCache {
    /** Idle trainers by run and threads per step. */
    private static final ConcurrentHashMap<String, ConcurrentLinkedDeque<LocalTrainer>> IDLE =
            new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, EpochOrder> ORDERS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Gathered> GATHERED = new ConcurrentHashMap<>();

    /** A worker's visiting order of its shard in one epoch. */
    private record EpochOrder(int epoch, int[] order) { }

    /** A run's averaged vector of one round, as read from the exchange blocks of group {@code group}. */
    private record Gathered(int group, float[] vector) { }

    private WorkerCache() { }

    /** Builds an executor's starting vector of a round from the one it held before (null when none). */
    @FunctionalInterface
    interface StartBuilder {
        float[] build(int cachedId, float[] cached);
    }

    /**
     * The starting vector of model {@code id} (see {@link ExchangeRound}), built once per executor: the first task of
     * the round on this executor builds it from the previous one, the executor's other tasks of the round wait for
     * it and share it (read only). The executor keeps only its latest.
     */
    static float[] gathered(String runId, int id, StartBuilder build) {
        return GATHERED.compute(runId, (k, g) -> g != null && g.group() == id ? g
                : new Gathered(id, g == null ? build.build(-1, null) : build.build(g.group(), g.vector()))).vector();
    }

    /** The starting vector of model {@code id} when this executor holds it, else null. */
    static float[] peek(String runId, int id) {
        Gathered g = GATHERED.get(runId);
        return g != null && g.group() == id ? g.vector() : null;
    }

    /**
     * A trainer of run {@code runId} computing each step on {@code threads} threads, for task {@code ctx} alone until
     * it completes (succeeded, failed or killed), when it returns to the pool.
     */
    static LocalTrainer borrow(String runId, TrainingPlan plan, int threads, TaskContext ctx) {
        String key = runId + "/" + threads;
        drop(k -> !k.startsWith(runId + "/"));                          // trainers of finished runs
        ConcurrentLinkedDeque<LocalTrainer> idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        LocalTrainer t = idle.pollFirst();
        LocalTrainer trainer = t != null ? t : new LocalTrainer(plan.spec(), plan.optimizer(), threads,
                plan.transforms());
        ctx.addTaskCompletionListener((TaskContext c) -> idle.addFirst(trainer));
        return trainer;
    }

    /** Trainers idle in this JVM's pools (for tests). */
    static int idleTrainers() {
        return IDLE.values().stream().mapToInt(ConcurrentLinkedDeque::size).sum();
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

    /**
     * Forgets a run's trainers, orders and gathered vector (called on the driver when a run ends; executors drop a
     * finished run's when a task of the next run starts, or die with the application).
     */
    static void release(String runId) {
        drop(k -> k.startsWith(runId + "/"));
    }

    private static void drop(Predicate<String> which) {
        ORDERS.keySet().removeIf(which);
        GATHERED.keySet().removeIf(k -> which.test(k + "/"));
        IDLE.entrySet().removeIf(e -> {
            if (which.test(e.getKey())) {
                e.getValue().forEach(LocalTrainer::close);
                return true;
            }
            return false;
        });
    }
}
