package org.sparkcnn.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * What a task of a one-job round ({@link BarrierRound}) reports: its worker's local steps, and its averaging of one
 * slice (none when its index is not below the number of slices).
 *
 * @param stats            the worker's report, as in a two-job round
 * @param averagingSeconds time from the end of the round's all-gather to the averaged slice being stored
 * @param averagingBytes   bytes of worker slices the averaging fetched from other executors
 */
record BarrierReport(WorkerStats stats, double averagingSeconds, long averagingBytes) {

    /** Kryo's form, registered by {@link KryoRegistrator}: the stats as their own serializer writes them. */
    static final class KryoSerializer extends Serializer<BarrierReport> {
        @Override
        public void write(Kryo kryo, Output out, BarrierReport r) {
            kryo.writeObject(out, r.stats());
            out.writeDouble(r.averagingSeconds());
            out.writeLong(r.averagingBytes());
        }

        @Override
        public BarrierReport read(Kryo kryo, Input in, Class<BarrierReport> type) {
            return new BarrierReport(kryo.readObject(in, WorkerStats.class), in.readDouble(), in.readLong());
        }
    }
}
