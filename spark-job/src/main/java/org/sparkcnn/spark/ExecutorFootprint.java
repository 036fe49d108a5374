package org.sparkcnn.spark;

import org.sparkcnn.core.ModelSpec;

/**
 * A lower bound of what one executor holds during a round, in bytes, by where it lives. Only what certainly exists
 * at the same time is counted, so a run this refuses cannot fit; a run it passes may still not (workspaces, backward
 * buffers, Spark's own objects are not counted).
 * <ul>
 *   <li>off-heap (JavaCPP): one trainer per task slot that runs at once — parameters P, gradients P, optimizer
 *       state S, and the minibatch's input and every layer's output, B·(input + Σ outputs) floats;</li>
 *   <li>heap, not spillable: on the executor path, the round's starting vector that the executor keeps (L = P, plus
 *       S when the state is averaged) and each running task's own copy of its vector (L); on the driver path, the
 *       broadcast model (P plus one or N states) and each running task's result and its serialized bytes
 *       (2·(P+S));</li>
 *   <li>exchange blocks (executor path): the worker vectors this executor writes, L per worker it hosts, and its
 *       share of the averaged slices. They are stored {@code MEMORY_AND_DISK_SER}, so Spark spills to local disk
 *       what its storage memory cannot hold; they are reported, not refused.</li>
 * </ul>
 *
 * @param offHeapBytes the trainers' native memory
 * @param heapBytes    heap that must hold at once, besides Spark's own reserve
 * @param blockBytes   exchange blocks kept in the block manager during the averaging
 */
public record ExecutorFootprint(long offHeapBytes, long heapBytes, long blockBytes) {

    /**
     * The footprint of an executor that runs {@code slots} tasks at once and hosts {@code workersHere} of the
     * plan's workers, with {@code stateLength} floats of optimizer state per worker.
     */
    public static ExecutorFootprint of(TrainingPlan plan, Aggregation aggregation, long stateLength, int slots,
                                       int workersHere) {
        ModelSpec spec = plan.spec();
        long p = spec.paramCount();
        int running = Math.max(1, Math.min(slots, plan.workers()));
        long offHeap = 4L * running * trainerFloats(spec, stateLength, plan.batchSize());
        if (aggregation == Aggregation.EXECUTORS) {
            long exchanged = p + (plan.averageUpdater() ? stateLength : 0);
            long heap = 4L * exchanged * (1 + running);
            long blocks = 4L * (exchanged * workersHere + (plan.averageUpdater() ? 0 : stateLength * workersHere));
            return new ExecutorFootprint(offHeap, heap, blocks);
        }
        long broadcast = p + stateLength * (plan.averageUpdater() ? 1 : plan.workers());
        return new ExecutorFootprint(offHeap, 4L * (broadcast + 2L * running * (p + stateLength)), 0);
    }

    /** Floats of one trainer: parameters, gradients, optimizer state, and one minibatch's input and activations. */
    static long trainerFloats(ModelSpec spec, long stateLength, int batch) {
        long activations = spec.input().size();
        for (int i = 0; i < spec.layers().size(); i++) {
            activations += spec.layers().get(i).outputShape(spec.inputOf(i)).size();
        }
        return 2 * spec.paramCount() + stateLength + (long) batch * activations;
    }
}
