package org.sparkcnn.spark.exchange;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockResult;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.StorageLevel;
import scala.Option;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Float vectors kept in Spark's block manager, the store Spark itself uses for cached partitions and broadcast
 * pieces: a task puts a vector into its executor's store, any task reads it (from its own store, or fetched from
 * the executor that holds it), and the driver removes a whole group at once.
 * <p>
 * A group is named like the blocks of an RDD that does not exist: an id drawn from {@code SparkContext.newRddId()},
 * so it never collides with a real RDD's blocks, and {@code BlockManagerMaster.removeRdd} drops every block of the
 * group on every executor with one message. Blocks are stored {@code MEMORY_AND_DISK}, deserialized, and reported
 * to the master so that other executors can find them. This is the only class that uses Spark's storage API
 * ({@code BlockManager} is {@code private[spark]} in Scala, public in bytecode, and unchanged from Spark 3.0 to 4).
 */
public final class SliceBlocks {
    private static final ClassTag<float[]> FLOATS = ClassTag$.MODULE$.apply(float[].class);
    /** Groups created by this driver and not yet removed, so a run can always clean up after itself. */
    private static final Set<Integer> LIVE = ConcurrentHashMap.newKeySet();

    private SliceBlocks() { }

    /** A new, empty group (driver side). */
    public static int newGroup(JavaSparkContext sc) {
        int id = sc.sc().newRddId();
        LIVE.add(id);
        return id;
    }

    /** Removes every block of {@code group} from every executor, without waiting (driver side). */
    public static void remove(int group) {
        if (group >= 0 && LIVE.remove(group)) {
            SparkEnv.get().blockManager().master().removeRdd(group, false);
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

    /** Stores {@code v} as block {@code index} of {@code group} in this executor's block manager. */
    public static void put(int group, int index, float[] v) {
        BlockManager bm = SparkEnv.get().blockManager();
        if (!bm.putSingle(new RDDBlockId(group, index), v, StorageLevel.MEMORY_AND_DISK(), true, FLOATS)) {
            throw new IllegalStateException("the block manager of executor " + bm.executorId()
                    + " could not store exchange block " + new RDDBlockId(group, index).name() + " (" + v.length * 4L
                    + " bytes): raise spark.executor.memory or free local disk");
        }
    }

    /**
     * Block {@code index} of {@code group}, from this executor's store or fetched from the executor that holds it;
     * the array is the store's own when local: read it, never write it.
     *
     * @throws LostBlockException when no executor holds it
     */
    public static float[] get(int group, int index, String what, Traffic traffic) {
        BlockManager bm = SparkEnv.get().blockManager();
        RDDBlockId id = new RDDBlockId(group, index);
        Option<BlockResult> local = bm.getLocalValues(id);
        boolean remote = local.isEmpty();
        Option<BlockResult> found = remote ? bm.getRemoteValues(id, FLOATS) : local;
        if (found.isEmpty()) {
            throw new LostBlockException("exchange block " + id.name() + " (" + what + ") is lost: no executor "
                    + "holds it any more");
        }
        scala.collection.Iterator<Object> values = found.get().data();
        float[] v = (float[]) values.next();
        while (values.hasNext()) {                       // completes the iterator, which releases a local read lock
            values.next();
        }
        traffic.add(v.length * 4L, remote);
        return v;
    }
}
