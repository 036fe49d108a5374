package org.sparkcnn.spark.exchange;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockData;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.io.ChunkedByteBuffer;
import scala.Option;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Float vectors kept in Spark's block manager, the store Spark itself uses for cached partitions and broadcast
 * pieces: a task puts a vector into its executor's store, any task reads it (from its own store, or fetched from
 * the executor that holds it), and the driver removes a whole group at once.
 * <p>
 * A group is named like the blocks of an RDD that does not exist: an id drawn from {@code SparkContext.newRddId()},
 * so it never collides with a real RDD's blocks, and {@code BlockManagerMaster.removeRdd} drops every block of the
 * group on every executor with one message. A block holds the raw little-endian floats, or their bfloat16 roundings ({@link ExchangePrecision};
 * the reader names the precision it wrote) ({@code MEMORY_AND_DISK_SER}),
 * so an executor serves it to another as it is stored, with no serializer in between, and a reader copies it into a
 * float array in bulk. Blocks are reported to the master so that other executors can find them.
 * This is the only class that uses Spark's storage API
 * ({@code BlockManager} is {@code private[spark]} in Scala, public in bytecode, and unchanged from Spark 3.0 to 4).
 */
public final class SliceBlocks {
    private static final ClassTag<float[]> FLOATS = ClassTag$.MODULE$.apply(float[].class);
    /** Remote fetches a task keeps in flight at once (one round trip each: ask the master, fetch the block). */
    static final int FETCHES_IN_FLIGHT = 8;
    private static final ExecutorService FETCHERS = Executors.newFixedThreadPool(FETCHES_IN_FLIGHT, r -> {
        Thread t = new Thread(r, "spark-cnn-exchange-fetch");
        t.setDaemon(true);
        return t;
    });
    /** Groups created by this driver and not yet removed, so a run can always clean up after itself. */
    private static final Set<Integer> LIVE = ConcurrentHashMap.newKeySet();

    private SliceBlocks() { }

    /** A new, empty group (driver side). */
    public static int newGroup(JavaSparkContext sc) {
        int id = sc.sc().newRddId();
        LIVE.add(id);
        return id;
    }

    /**
     * Removes every block of {@code group} from every executor (driver side), and waits until the executors have
     * answered: a removal still in flight when the run ends and Spark stops would have its answer rejected by
     * Spark's stopped thread pool, which prints a stack trace after the run's last line (seen after a diverged
     * run). Spark bounds the wait by its RPC timeout, and an executor found lost counts as answered.
     */
    public static void remove(int group) {
        if (group >= 0 && LIVE.remove(group)) {
            SparkEnv.get().blockManager().master().removeRdd(group, true);
        }
    }

    /**
     * Removes every group created by this driver and not yet removed: the end of a run, or a test that simulates
     * lost executors.
     */
    public static void removeAll() {
        for (Integer g : Set.copyOf(LIVE)) {
            remove(g);
        }
    }

    /**
     * Removes block {@code index} of {@code group} from this executor's store, if it holds it, and tells the master
     * (executor side; for a block this executor stored and no one reads any more).
     */
    public static void removeLocal(int group, int index) {
        if (group >= 0) {
            SparkEnv.get().blockManager().removeBlock(new RDDBlockId(group, index), true);
        }
    }

    /** Stores {@code v} as block {@code index} of {@code group} in this executor's block manager. */
    public static void put(int group, int index, float[] v) {
        put(group, index, v, ExchangePrecision.FP32);
    }

    /** Stores {@code v}, in {@code precision}, as block {@code index} of {@code group} in this executor's store. */
    public static void put(int group, int index, float[] v, ExchangePrecision precision) {
        store(group, index, precision.encode(v));
    }

    /**
     * Stores values {@code [from, to)} of {@code parts} laid end to end (each read from its position to its limit;
     * off-heap buffers too) in fp32 as block {@code index} of {@code group}: the block {@link #put} stores for the
     * same values, copied once.
     */
    public static void putFp32(int group, int index, FloatBuffer[] parts, int from, int to) {
        store(group, index, ExchangePrecision.fp32(parts, from, to));
    }

    private static void store(int group, int index, ByteBuffer bytes) {
        BlockManager bm = SparkEnv.get().blockManager();
        if (!bm.putBytes(new RDDBlockId(group, index), new ChunkedByteBuffer(bytes), StorageLevel.MEMORY_AND_DISK_SER(),
                true, FLOATS)) {
            throw new IllegalStateException("the block manager of executor " + bm.executorId()
                    + " could not store exchange block " + new RDDBlockId(group, index).name() + " (" + bytes.capacity()
                    + " bytes): raise spark.executor.memory or free local disk");
        }
    }

    /**
     * Block {@code index} of {@code group}, from this executor's store or fetched from the executor that holds it.
     *
     * @throws LostBlockException when no executor holds it
     */
    public static float[] get(int group, int index, String what, Traffic traffic) {
        return get(group, index, ExchangePrecision.FP32, what, traffic);
    }

    /** Block {@code index} of {@code group}, stored in {@code precision} (see {@link #get(int, int, String, Traffic)}). */
    public static float[] get(int group, int index, ExchangePrecision precision, String what, Traffic traffic) {
        BlockManager bm = SparkEnv.get().blockManager();
        RDDBlockId id = new RDDBlockId(group, index);
        float[] local = readLocal(bm, id, precision);
        float[] v = local == null ? fetch(bm, id, precision, what) : local;
        traffic.add((long) v.length * precision.bytesPerValue(), local == null);
        return v;
    }

    /** Blocks {@code indices} of {@code group}, stored in {@code precision}, in that order (see {@link #forEach}). */
    public static float[][] getAll(int group, int[] indices, ExchangePrecision precision, IntFunction<String> what,
                                   Traffic traffic) {
        float[][] out = new float[indices.length][];
        forEach(group, indices, precision, what, traffic, (i, v) -> out[i] = v);
        return out;
    }

    /**
     * Hands blocks {@code indices} of {@code group} to {@code use} in that order: local ones read at once, remote
     * ones fetched up to {@value #FETCHES_IN_FLIGHT} ahead (each fetch is a round trip to the master for the
     * location, then one to the holder, so fetching one after another would add their latencies). At most that many
     * fetched blocks wait in memory.
     *
     * @param precision how the blocks were stored
     * @param what names block i for an error, e.g. {@code i -> "slice 3 of worker " + i}
     * @throws LostBlockException when no executor holds one of them
     */
    public static void forEach(int group, int[] indices, ExchangePrecision precision, IntFunction<String> what,
                               Traffic traffic, BlockConsumer use) {
        BlockManager bm = SparkEnv.get().blockManager();
        ArrayDeque<Pending> ahead = new ArrayDeque<>();
        int next = 0;
        for (int i = 0; i < indices.length; i++) {
            while (next < indices.length && (next <= i || ahead.size() < FETCHES_IN_FLIGHT)) {
                RDDBlockId id = new RDDBlockId(group, indices[next]);
                String name = what.apply(next);
                float[] local = readLocal(bm, id, precision);
                ahead.add(local == null ? new Pending(FETCHERS.submit(() -> fetch(bm, id, precision, name)), true)
                        : new Pending(CompletableFuture.completedFuture(local), false));
                next++;
            }
            Pending p = ahead.poll();
            float[] v;
            try {
                v = p.value().get();
            } catch (ExecutionException e) {
                ahead.forEach(q -> q.value().cancel(true));
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                ahead.forEach(q -> q.value().cancel(true));
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while fetching exchange blocks", e);
            }
            traffic.add((long) v.length * precision.bytesPerValue(), p.remote());
            use.accept(i, v);
        }
    }

    /** A block on its way: read from this executor's store, or being fetched from another's. */
    private record Pending(Future<float[]> value, boolean remote) { }

    /** Receives block i of a {@link #forEach}. */
    @FunctionalInterface
    public interface BlockConsumer {
        void accept(int i, float[] block);
    }

    private static float[] fetch(BlockManager bm, RDDBlockId id, ExchangePrecision precision, String what) {
        Option<ChunkedByteBuffer> found = bm.getRemoteBytes(id);
        if (found.isEmpty()) {
            throw new LostBlockException("exchange block " + id.name() + " (" + what + ") is lost: no executor "
                    + "holds it any more");
        }
        try {
            return precision.decode(found.get().toByteBuffer());
        } finally {
            found.get().dispose();
        }
    }

    /** The block from this executor's store, or null when this executor does not hold it. */
    private static float[] readLocal(BlockManager bm, RDDBlockId id, ExchangePrecision precision) {
        Option<BlockData> local = bm.getLocalBytes(id);
        if (local.isEmpty()) {
            return null;
        }
        try {
            return precision.decode(local.get().toByteBuffer());
        } finally {
            local.get().dispose();
            bm.releaseLock(id, Option.empty());
        }
    }
}
