package org.sparkcnn.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.sparkcnn.core.train.LocalTrainer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Executor-side caches of a run. Trainers (network, optimizer, minibatch and layer buffers) are pooled per run, so a
 * task reuses off-heap buffers round after round instead of allocating fresh ones; a task borrows an idle trainer and
 * gives it back when it ends. Any trainer serves any worker: a round's result depends only on the model it starts
 * from, which overwrites parameters and state at the start of every task (RoundRetryTest). So an executor keeps as
 * many trainers as it ran tasks at once, however many workers it serves in waves, and two attempts of one worker
 * (a retry beside a speculative copy) never share one.
 *
 * <p>Bounds: a run's pool keeps at most one idle trainer per task slot of the executor ({@link #taskSlots}); a
 * trainer given back beyond that (after a burst of retries and speculative copies) is closed. Workers' epoch orders
 * are kept for the {@value #MAX_ORDERS} most recently used workers; an evicted order is recomputed (a seeded
 * permutation of the shard, O(shard)). A finished run's trainers, orders and vector go when the driver ends it
 * ({@link #release}) in its JVM, and on an executor when a task of another run starts there.
 */
final class WorkerCache {
    /** Epoch orders kept per executor: the most recently used workers'. */
    static final int MAX_ORDERS = 64;
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)");

    /** Idle trainers by run and threads per step. */
    private static final ConcurrentHashMap<String, ConcurrentLinkedDeque<LocalTrainer>> IDLE =
            new ConcurrentHashMap<>();
    /** Workers' epoch orders by run and worker, least recently used first. Guarded by itself. */
    private static final LinkedHashMap<String, EpochOrder> ORDERS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, EpochOrder> eldest) {
            return size() > MAX_ORDERS;
        }
    };
    private static final ConcurrentHashMap<String, Gathered> GATHERED = new ConcurrentHashMap<>();
    /** Trainers borrowed in this JVM: one per task, however many rounds the task runs. */
    private static final AtomicLong BORROWED = new AtomicLong();

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
        BORROWED.incrementAndGet();
        LocalTrainer trainer = take(runId, threads, () -> new LocalTrainer(plan.spec(), plan.optimizer(), threads,
                plan.transforms()));
        int keep = taskSlots(SparkEnv.get() == null ? new SparkConf(false) : SparkEnv.get().conf(), threads);
        ctx.addTaskCompletionListener((TaskContext c) -> giveBack(runId, threads, trainer, keep));
        return trainer;
    }

    /** An idle trainer of run {@code runId} and {@code threads} threads, or a new one from {@code create}. */
    static LocalTrainer take(String runId, int threads, Supplier<LocalTrainer> create) {
        drop(k -> !k.startsWith(runId + "/"));                          // trainers of finished runs
        LocalTrainer t = IDLE.computeIfAbsent(runId + "/" + threads, k -> new ConcurrentLinkedDeque<>()).pollFirst();
        return t != null ? t : create.get();
    }

    /** Returns {@code trainer} to its run's pool, or closes it when the pool already holds {@code keep}. */
    static void giveBack(String runId, int threads, LocalTrainer trainer, int keep) {
        ConcurrentLinkedDeque<LocalTrainer> idle = IDLE.get(runId + "/" + threads);
        synchronized (WorkerCache.class) {
            if (idle != null && idle.size() < keep) {
                idle.addFirst(trainer);
                return;
            }
        }
        trainer.close();                                                // beyond the slots, or its run was dropped
    }

    /**
     * Tasks of {@code threads} cores an executor runs at once: a local master's threads ({@code local[N]}, all
     * cores for {@code local[*]}), else {@code spark.executor.cores} (all of the machine's cores when unset, as a
     * standalone worker gives), divided by {@code threads}; at least one.
     */
    static int taskSlots(SparkConf conf, int threads) {
        Matcher m = LOCAL.matcher(conf.get("spark.master", ""));
        int cores = Runtime.getRuntime().availableProcessors();
        if (m.lookingAt()) {
            cores = m.group(1).equals("*") ? cores : Integer.parseInt(m.group(1));
        } else {
            cores = conf.getInt("spark.executor.cores", cores);
        }
        return Math.max(1, cores / Math.max(1, threads));
    }

    /** Trainers borrowed in this JVM so far (for tests). */
    static long borrowed() {
        return BORROWED.get();
    }

    /** Trainers idle in this JVM's pools (for tests). */
    static int idleTrainers() {
        return IDLE.values().stream().mapToInt(ConcurrentLinkedDeque::size).sum();
    }

    /**
     * Worker {@code worker}'s order of its shard in {@code epoch}, computed once per epoch (rounds of the same epoch
     * reuse it; a worker keeps only its latest).
     */
    static int[] order(String runId, int worker, int epoch, Supplier<int[]> compute) {
        String key = runId + "/" + worker;
        EpochOrder o;
        synchronized (ORDERS) {
            o = ORDERS.get(key);
        }
        if (o == null || o.epoch() != epoch) {
            o = new EpochOrder(epoch, compute.get());
            synchronized (ORDERS) {
                ORDERS.put(key, o);
            }
        }
        return o.order();
    }

    /** Epoch orders this JVM keeps (for tests). */
    static int orders() {
        synchronized (ORDERS) {
            return ORDERS.size();
        }
    }

    /**
     * Forgets a run's trainers, orders and gathered vector (called on the driver when a run ends; executors drop a
     * finished run's when a task of the next run starts, or die with the application).
     */
    static void release(String runId) {
        drop(k -> k.startsWith(runId + "/"));
    }

    private static void drop(Predicate<String> which) {
        synchronized (ORDERS) {
            ORDERS.keySet().removeIf(which);
        }
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
