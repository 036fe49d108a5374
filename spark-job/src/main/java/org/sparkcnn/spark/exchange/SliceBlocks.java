package org.sparkcnn.spark.exchange;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockManagerMaster;
import org.apache.spark.storage.BlockData;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.io.ChunkedByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
    public static final int FETCHES_IN_FLIGHT = 8;
    private static final ExecutorService FETCHERS = Executors.newFixedThreadPool(FETCHES_IN_FLIGHT, r -> {
        Thread t = new Thread(r, "spark-cnn-exchange-fetch");
        t.setDaemon(true);
        return t;
    });
    /** Groups created by this driver and not yet removed, so a run can always clean up after itself. */
    private static final Set<Integer> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicLong LOCAL_REMOVALS = new AtomicLong();
    /** The driver's removals of whole groups, in the order asked ({@link #remove}). */
    private static final ExecutorService REMOVER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "spark-cnn-exchange-removal");
        t.setDaemon(true);
        return t;
    });
    private static final Logger LOG = LoggerFactory.getLogger(SliceBlocks.class);

    private SliceBlocks() { }

    /** A new, empty group (driver side). */
    public static int newGroup(JavaSparkContext sc) {
        int id = sc.sc().newRddId();
        LIVE.add(id);
        return id;
    }

    /**
     * Removes every block of {@code group} from every executor (driver side), off the caller's thread: the removals
     * run one after another on one driver thread ({@link #awaitRemovals}), each waiting until the executors have
     * answered. A removal is a round trip to every executor; a job of G rounds leaves 2G to 3G spent groups, and
     * removing them on the training loop cost 20–100 ms between two jobs (lenet, 2 workers, local mode). A group's
     * id is never used again and no task reads a removed group, so nothing waits for it, but a run waits for all of
     * them before it ends: a removal still in flight when Spark stops would have its answer rejected by Spark's
     * stopped thread pool, which prints a stack trace after the run's last line (seen after a diverged run). Spark
     * bounds each wait by its RPC timeout, and an executor found lost counts as answered.
     */
    public static void remove(int group) {
        if (group >= 0 && LIVE.remove(group)) {
            BlockManagerMaster master = SparkEnv.get().blockManager().master();
            REMOVER.execute(() -> {
                try {
                    master.removeRdd(group, true);
                } catch (RuntimeException e) {       // Spark stopped under a run that failed: nothing left to remove
                    LOG.debug("removing exchange blocks of group {} failed", group, e);
                }
            });
        }
    }

    /** Waits until every removal asked for so far has been answered (driver side). */
    public static void awaitRemovals() {
        try {
            REMOVER.submit(() -> { }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Removes every group created by this driver and not yet removed, and waits for the removals: the end of a run,
     * or a test that simulates lost executors.
     */
    public static void removeAll() {
        for (Integer g : Set.copyOf(LIVE)) {
            remove(g);
        }
        awaitRemovals();
    }

    /**
     * Removes block {@code index} of {@code group} from this executor's store, if it holds it (executor side; for a
     * block this executor stored and no one reads any more). The master is not told: that would be one synchronous
     * round trip to the driver per block, inside every round. Its stale entry names a block no one asks for, and goes
     * when the driver removes the whole group ({@link #remove}), at the latest when the job ends.
     */
    public static void removeLocal(int group, int index) {
        if (group >= 0) {
            BlockManager bm = SparkEnv.get().blockManager();
            RDDBlockId id = new RDDBlockId(group, index);
            if (bm.getStatus(id).isDefined()) {
                bm.removeBlock(id, false);
                LOCAL_REMOVALS.incrementAndGet();
            }
        }
    }

    /** Blocks {@link #removeLocal} removed in this JVM so far (the driver's own removals not counted). */
    public static long localRemovals() {
        return LOCAL_REMOVALS.get();
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

    /**
     * Stores {@code length} floats in fp32 as block {@code index} of {@code group}, written by {@code fill} straight
     * into the block's bytes (it must write exactly that many).
     */
    public static void putFp32(int group, int index, int length, Consumer<FloatBuffer> fill) {
        ByteBuffer bytes = ByteBuffer.allocate(length * Float.BYTES);
        FloatBuffer out = ExchangePrecision.fp32View(bytes);
        fill.accept(out);
        if (out.hasRemaining()) {
            throw new IllegalStateException(out.remaining() + " of " + length + " floats of block " + index
                    + " left unwritten");
        }
        store(group, index, bytes);
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
        return getAll(group, new int[]{index}, precision, i -> what, traffic)[0];
    }

    /** Blocks {@code indices} of {@code group}, stored in {@code precision}, in that order (see {@link #forEach}). */
    public static float[][] getAll(int group, int[] indices, ExchangePrecision precision, IntFunction<String> what,
                                   Traffic traffic) {
        float[][] out = new float[indices.length][];
        forEach(group, indices, precision, what, traffic, (i, v) -> out[i] = v);
        return out;
    }

    /** Hands blocks {@code indices} of {@code group}, decoded, to {@code use} in that order (see {@link #forEachBytes}). */
    public static void forEach(int group, int[] indices, ExchangePrecision precision, IntFunction<String> what,
                               Traffic traffic, BlockConsumer use) {
        forEachBytes(group, indices, 1, what, traffic, (i, bytes) -> use.accept(i, precision.decode(bytes[0])));
    }

    /**
     * Hands the fp32 blocks {@code indices} of {@code group} to {@code use} in that order as their floats in place
     * (see {@link #forEachBytes}): a reader copies them once, to wherever they go, with no array between.
     */
    public static void forEachFp32(int group, int[] indices, IntFunction<String> what, Traffic traffic,
                                   FloatsConsumer use) {
        forEachBytes(group, indices, 1, what, traffic,
                (i, bytes) -> use.accept(i, ExchangePrecision.fp32View(bytes[0])));
    }

    /**
     * Hands the fp32 blocks {@code indices} of {@code group} to {@code use} all at once, as their floats in place,
     * valid during the call only (see {@link #forEachBytes}); at most {@value #FETCHES_IN_FLIGHT} blocks.
     */
    public static void withAllFp32(int group, int[] indices, IntFunction<String> what, Traffic traffic,
                                   Consumer<FloatBuffer[]> use) {
        if (indices.length > FETCHES_IN_FLIGHT) {
            throw new IllegalArgumentException(indices.length + " blocks at once: at most " + FETCHES_IN_FLIGHT);
        }
        forEachBytes(group, indices, Math.max(1, indices.length), what, traffic, (i, bytes) -> {
            FloatBuffer[] floats = new FloatBuffer[bytes.length];
            for (int b = 0; b < bytes.length; b++) {
                floats[b] = ExchangePrecision.fp32View(bytes[b]);
            }
            use.accept(floats);
        });
    }

    /**
     * Hands the bytes of blocks {@code indices} of {@code group} to {@code use} in that order, {@code together} at a
     * time (the last group may be shorter; {@code use} gets the index of the group's first block), valid during the
     * call only: local ones read in place, remote ones fetched up to {@value #FETCHES_IN_FLIGHT} ahead (each fetch is
     * a round trip to the master for the location, then one to the holder, so fetching one after another would add
     * their latencies). At most that many blocks, or {@code together}, wait in memory.
     *
     * @param what names block i for an error, e.g. {@code i -> "slice 3 of worker " + i}
     * @throws LostBlockException when no executor holds one of them
     */
    private static void forEachBytes(int group, int[] indices, int together, IntFunction<String> what,
                                     Traffic traffic, BytesConsumer use) {
        BlockManager bm = SparkEnv.get().blockManager();
        ArrayDeque<Pending> ahead = new ArrayDeque<>();
        int inFlight = Math.max(FETCHES_IN_FLIGHT, together);
        int next = 0;
        try {
            for (int i = 0; i < indices.length; i += together) {
                int n = Math.min(together, indices.length - i);
                while (next < indices.length && (next < i + n || ahead.size() < inFlight)) {
                    ahead.add(pending(bm, new RDDBlockId(group, indices[next]), what.apply(next)));
                    next++;
                }
                Pending[] held = new Pending[n];
                ByteBuffer[] bytes = new ByteBuffer[n];
                try {
                    for (int b = 0; b < n; b++) {
                        held[b] = ahead.poll();
                        bytes[b] = held[b].bytes();
                        traffic.add(bytes[b].remaining(), held[b].remote());
                    }
                    use.accept(i, bytes);
                } finally {
                    for (Pending p : held) {
                        if (p != null) {
                            p.release();
                        }
                    }
                }
            }
        } finally {
            for (Pending p : ahead) {
                p.release();
            }
        }
    }

    /** A block on its way: read in place from this executor's store, or being fetched from another's. */
    private static Pending pending(BlockManager bm, RDDBlockId id, String what) {
        Option<BlockData> local = bm.getLocalBytes(id);
        if (local.isDefined()) {
            return new Pending(bm, id, local.get(), null);
        }
        return new Pending(bm, id, null, FETCHERS.submit(() -> fetch(bm, id, what)));
    }

    /** A local block (read-locked until released) or a remote one's fetch. */
    private record Pending(BlockManager bm, RDDBlockId id, BlockData local, Future<ChunkedByteBuffer> fetched) {
        boolean remote() {
            return local == null;
        }

        ByteBuffer bytes() {
            if (local != null) {
                return local.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            }
            try {
                return fetched.get().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while fetching exchange blocks", e);
            }
        }

        /** Unlocks a local block; cancels a fetch, or frees what it fetched. */
        void release() {
            if (local != null) {
                local.dispose();
                bm.releaseLock(id, Option.empty());
            } else if (!fetched.cancel(true)) {               // done already: free what it fetched
                try {
                    fetched.get().dispose();
                } catch (ExecutionException | InterruptedException | CancellationException e) {
                    // nothing was fetched: nothing to free
                }
            }
        }
    }

    /** Receives block i of a {@link #forEach}. */
    @FunctionalInterface
    public interface BlockConsumer {
        void accept(int i, float[] block);
    }

    /** Receives block i of a {@link #forEachFp32}: its floats in place, to be read during the call only. */
    @FunctionalInterface
    public interface FloatsConsumer {
        void accept(int i, FloatBuffer block);
    }

    @FunctionalInterface
    private interface BytesConsumer {
        void accept(int first, ByteBuffer[] blocks);
    }

    private static ChunkedByteBuffer fetch(BlockManager bm, RDDBlockId id, String what) {
        Option<ChunkedByteBuffer> found = bm.getRemoteBytes(id);
        if (found.isEmpty()) {
            throw new LostBlockException("exchange block " + id.name() + " (" + what + ") is lost: no executor "
                    + "holds it any more");
        }
        return found.get();
    }
}
