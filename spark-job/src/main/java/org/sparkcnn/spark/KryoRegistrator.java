package org.sparkcnn.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.spark.data.ExampleChunk;
import org.sparkcnn.spark.data.ShardSummary;
import org.sparkcnn.core.eval.EvalCounts;

/**
 * Registers every class that crosses the wire in Kryo (used with {@code spark.kryo.registrationRequired=true},
 * so a missing one fails at once). The hot records — model broadcasts, worker results, evaluation counts, the
 * dataset — get compact hand-written serializers (Kryo 4 cannot construct Java records by itself); the
 * once-per-job configuration records and Spark SQL schemas get field-by-field ones ({@link ConfigSerializers}).
 * Nothing is registered with Kryo's JavaSerializer. (Spark itself still sends task closures, which capture these
 * records, with Java serialization; the launchers' {@code jdk.serialFilter} bounds what that may build.)
 */
public final class KryoRegistrator implements org.apache.spark.serializer.KryoRegistrator {

    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(float[].class);
        kryo.register(float[][].class);
        kryo.register(double[].class);
        kryo.register(byte[].class);
        kryo.register(int[].class);
        kryo.register(long[].class);
        kryo.register(long[][].class);
        kryo.register(Object[].class);
        kryo.register(float[][][].class);
        kryo.register(RoundTask.class, new RoundTaskSerializer());
        kryo.register(ModelVectors.class, new ModelVectorsSerializer());
        kryo.register(WorkerStats.class, new WorkerStatsSerializer());
        kryo.register(WorkerStats[].class);
        kryo.register(BarrierReport.class, new BarrierReport.KryoSerializer());
        kryo.register(BarrierReport[].class);
        kryo.register(WorkerResult.class, new WorkerResultSerializer());
        kryo.register(WorkerResult[].class);
        kryo.register(EvalCounts.class, new EvalCountsSerializer());
        kryo.register(EvalCounts[].class);
        kryo.register(ImageArray.class, new ImageArraySerializer());
        kryo.register(ExampleChunk.class, new ExampleChunkSerializer());
        kryo.register(ExampleChunk[].class);
        kryo.register(ShardSummary.class, new ShardSummarySerializer());
        kryo.register(ShardSummary[].class);
        kryo.register(TrainingPlan.class, new ConfigSerializers.TrainingPlanSerializer());
        kryo.register(ModelSpec.class, new ConfigSerializers.ModelSpecSerializer());
        // Spark SQL's Parquet schema inference returns the files' schemas as task results; as JSON text a schema
        // keeps its fields, types and metadata, and none of those classes needs registering.
        kryo.register(StructType.class, new ConfigSerializers.StructTypeSerializer());
        kryo.register(StructType[].class);
    }

    static final class RoundTaskSerializer extends Serializer<RoundTask> {
        @Override
        public void write(Kryo kryo, Output out, RoundTask t) {
            out.writeInt(t.globalRound());
            out.writeInt(t.epoch());
            out.writeInt(t.round());
            out.writeInt(t.tau());
            out.writeLong(t.iteration());
            out.writeInt(t.steps());
        }

        @Override
        public RoundTask read(Kryo kryo, Input in, Class<RoundTask> type) {
            return new RoundTask(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readLong(), in.readInt());
        }
    }

    static final class ModelVectorsSerializer extends Serializer<ModelVectors> {
        @Override
        public void write(Kryo kryo, Output out, ModelVectors m) {
            writeFloats(out, m.params());
            out.writeInt(m.states().length);
            for (float[] s : m.states()) {
                writeFloats(out, s);
            }
        }

        @Override
        public ModelVectors read(Kryo kryo, Input in, Class<ModelVectors> type) {
            float[] params = readFloats(in);
            float[][] states = new float[in.readInt()][];
            for (int i = 0; i < states.length; i++) {
                states[i] = readFloats(in);
            }
            return new ModelVectors(params, states);
        }
    }

    static final class WorkerStatsSerializer extends Serializer<WorkerStats> {
        @Override
        public void write(Kryo kryo, Output out, WorkerStats r) {
            out.writeInt(r.worker());
            out.writeLong(r.examples());
            out.writeInt(r.steps());
            out.writeDouble(r.lossSum());
            out.writeDouble(r.computeSeconds());
            out.writeLong(r.remoteBytes());
        }

        @Override
        public WorkerStats read(Kryo kryo, Input in, Class<WorkerStats> type) {
            return new WorkerStats(in.readInt(), in.readLong(), in.readInt(), in.readDouble(), in.readDouble(),
                    in.readLong());
        }
    }

    static final class WorkerResultSerializer extends Serializer<WorkerResult> {
        @Override
        public void write(Kryo kryo, Output out, WorkerResult r) {
            out.writeInt(r.rounds().length);
            for (WorkerStats w : r.rounds()) {
                kryo.writeObject(out, w);
            }
            writeFloats(out, r.params());
            writeFloats(out, r.state());
        }

        @Override
        public WorkerResult read(Kryo kryo, Input in, Class<WorkerResult> type) {
            WorkerStats[] rounds = new WorkerStats[in.readInt()];
            for (int i = 0; i < rounds.length; i++) {
                rounds[i] = kryo.readObject(in, WorkerStats.class);
            }
            return new WorkerResult(rounds, readFloats(in), readFloats(in));
        }
    }

    static final class EvalCountsSerializer extends Serializer<EvalCounts> {
        @Override
        public void write(Kryo kryo, Output out, EvalCounts c) {
            out.writeInt(c.classes());
            for (long[] row : c.confusion()) {
                out.writeLongs(row);
            }
            out.writeDouble(c.lossSum());
            out.writeLong(c.examples());
        }

        @Override
        public EvalCounts read(Kryo kryo, Input in, Class<EvalCounts> type) {
            int k = in.readInt();
            long[][] confusion = new long[k][];
            for (int i = 0; i < k; i++) {
                confusion[i] = in.readLongs(k);
            }
            return new EvalCounts(confusion, in.readDouble(), in.readLong());
        }
    }

    static final class ImageArraySerializer extends Serializer<ImageArray> {
        @Override
        public void write(Kryo kryo, Output out, ImageArray d) {
            out.writeInt(d.shape().channels());
            out.writeInt(d.shape().height());
            out.writeInt(d.shape().width());
            out.writeInt(d.pixels().length);
            out.writeBytes(d.pixels());
            out.writeInt(d.labels().length);
            out.writeBytes(d.labels());
        }

        @Override
        public ImageArray read(Kryo kryo, Input in, Class<ImageArray> type) {
            Shape shape = new Shape(in.readInt(), in.readInt(), in.readInt());
            byte[] pixels = in.readBytes(in.readInt());
            byte[] labels = in.readBytes(in.readInt());
            return new ImageArray(pixels, labels, shape);
        }
    }

    static final class ExampleChunkSerializer extends Serializer<ExampleChunk> {
        @Override
        public void write(Kryo kryo, Output out, ExampleChunk c) {
            out.writeInt(c.index().length);
            out.writeInts(c.index());
            kryo.writeObject(out, c.images());
        }

        @Override
        public ExampleChunk read(Kryo kryo, Input in, Class<ExampleChunk> type) {
            int[] index = in.readInts(in.readInt());
            return new ExampleChunk(index, kryo.readObject(in, ImageArray.class));
        }
    }

    static final class ShardSummarySerializer extends Serializer<ShardSummary> {
        @Override
        public void write(Kryo kryo, Output out, ShardSummary s) {
            out.writeInt(s.shard());
            out.writeLong(s.examples());
            out.writeInt(s.classCounts().length);
            out.writeLongs(s.classCounts());
        }

        @Override
        public ShardSummary read(Kryo kryo, Input in, Class<ShardSummary> type) {
            int shard = in.readInt();
            long examples = in.readLong();
            return new ShardSummary(shard, examples, in.readLongs(in.readInt()));
        }
    }

    static void writeFloats(Output out, float[] v) {
        out.writeInt(v.length);
        out.writeFloats(v);
    }

    static float[] readFloats(Input in) {
        return in.readFloats(in.readInt());
    }
}
