package org.sparkcnn.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.core.Activation;
import org.sparkcnn.core.Loss;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.WeightInit;
import org.sparkcnn.core.layers.BatchNormSpec;
import org.sparkcnn.core.layers.Conv2dSpec;
import org.sparkcnn.core.layers.DenseSpec;
import org.sparkcnn.core.layers.DropoutSpec;
import org.sparkcnn.core.layers.FlattenSpec;
import org.sparkcnn.core.layers.LayerSpec;
import org.sparkcnn.core.layers.Pool2dSpec;
import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.core.train.Augmentation;
import org.sparkcnn.core.train.BatchTransforms;

import java.util.ArrayList;
import java.util.List;

/**
 * Kryo serializers for the once-per-job records — {@link ModelSpec}, {@link TrainingPlan} — and Spark SQL schemas:
 * each writes its fields and reads them back through the record's validating constructor, so nothing on the wire
 * is Java serialization and a damaged or hostile stream can only build what the constructors accept. Enums travel
 * by name, a layer as a one-byte kind and its fields, a schema as Spark's own JSON form.
 */
final class ConfigSerializers {
    private ConfigSerializers() { }

    private static final byte CONV = 1;
    private static final byte POOL = 2;
    private static final byte DENSE = 3;
    private static final byte DROPOUT = 4;
    private static final byte FLATTEN = 5;
    private static final byte BATCH_NORM = 6;

    static final class ModelSpecSerializer extends Serializer<ModelSpec> {
        @Override
        public void write(Kryo kryo, Output out, ModelSpec spec) {
            writeShape(out, spec.input());
            out.writeInt(spec.layers().size(), true);
            for (LayerSpec l : spec.layers()) {
                writeLayer(out, l);
            }
            out.writeString(spec.loss().name());
        }

        @Override
        public ModelSpec read(Kryo kryo, Input in, Class<ModelSpec> type) {
            Shape input = readShape(in);
            int n = in.readInt(true);
            if (n > 10_000) {
                throw new KryoException("a model spec with " + n + " layers");
            }
            List<LayerSpec> layers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                layers.add(readLayer(in));
            }
            return new ModelSpec(input, layers, Loss.valueOf(in.readString()));
        }
    }

    static final class TrainingPlanSerializer extends Serializer<TrainingPlan> {
        @Override
        public void write(Kryo kryo, Output out, TrainingPlan p) {
            kryo.writeObject(out, p.spec());
            OptimizerConfig o = p.optimizer();
            out.writeString(o.kind().name());
            LearningRate lr = o.learningRate();
            out.writeDouble(lr.base());
            out.writeString(lr.decay().name());
            out.writeDouble(lr.gamma());
            out.writeLong(lr.every());
            out.writeDouble(lr.everyEpochs());
            out.writeDouble(lr.warmupEpochs());
            out.writeDouble(lr.totalEpochs());
            out.writeDouble(o.momentum());
            out.writeDouble(o.beta1());
            out.writeDouble(o.beta2());
            out.writeDouble(o.epsilon());
            out.writeDouble(o.l2());
            out.writeDouble(o.weightDecay());
            out.writeInt(p.workers());
            out.writeInt(p.localSteps());
            out.writeInt(p.warmupEpochs());
            out.writeInt(p.batchSize());
            out.writeInt(p.epochs());
            out.writeLong(p.seed());
            out.writeBoolean(p.averageUpdater());
            Augmentation a = p.transforms().augmentation();
            out.writeInt(a.maxShift());
            out.writeDouble(a.maxRotationDegrees());
            out.writeDouble(a.maxScale());
            out.writeBoolean(a.flip());
            out.writeDouble(p.transforms().labelSmoothing());
        }

        @Override
        public TrainingPlan read(Kryo kryo, Input in, Class<TrainingPlan> type) {
            ModelSpec spec = kryo.readObject(in, ModelSpec.class);
            OptimizerConfig.Kind kind = OptimizerConfig.Kind.valueOf(in.readString());
            LearningRate lr = new LearningRate(in.readDouble(), LearningRate.Decay.valueOf(in.readString()),
                    in.readDouble(), in.readLong(), in.readDouble(), in.readDouble(), in.readDouble());
            OptimizerConfig o = new OptimizerConfig(kind, lr, in.readDouble(), in.readDouble(), in.readDouble(),
                    in.readDouble(), in.readDouble(), in.readDouble());
            int workers = in.readInt();
            int localSteps = in.readInt();
            int warmupEpochs = in.readInt();
            int batchSize = in.readInt();
            int epochs = in.readInt();
            long seed = in.readLong();
            boolean averageUpdater = in.readBoolean();
            Augmentation a = new Augmentation(in.readInt(), in.readDouble(), in.readDouble(), in.readBoolean());
            return new TrainingPlan(spec, o, workers, localSteps, warmupEpochs, batchSize, epochs, seed,
                    averageUpdater, new BatchTransforms(a, in.readDouble()));
        }
    }

    /** A Spark SQL schema (Parquet schema inference returns them as task results) as its JSON text. */
    static final class StructTypeSerializer extends Serializer<StructType> {
        @Override
        public void write(Kryo kryo, Output out, StructType schema) {
            out.writeString(schema.json());
        }

        @Override
        public StructType read(Kryo kryo, Input in, Class<StructType> type) {
            DataType t = DataType.fromJson(in.readString());
            if (!(t instanceof StructType s)) {
                throw new KryoException("expected a struct schema, got " + t.simpleString());
            }
            return s;
        }
    }

    private static void writeShape(Output out, Shape s) {
        out.writeInt(s.channels());
        out.writeInt(s.height());
        out.writeInt(s.width());
    }

    private static Shape readShape(Input in) {
        return new Shape(in.readInt(), in.readInt(), in.readInt());
    }

    private static void writeLayer(Output out, LayerSpec layer) {
        if (layer instanceof Conv2dSpec c) {
            out.writeByte(CONV);
            out.writeInt(c.kernelH());
            out.writeInt(c.kernelW());
            out.writeInt(c.filters());
            out.writeInt(c.stride());
            out.writeBoolean(c.same());
            out.writeString(c.activation().name());
            writeInit(out, c.init());
            out.writeDouble(c.biasInit());
        } else if (layer instanceof Pool2dSpec p) {
            out.writeByte(POOL);
            out.writeBoolean(p.max());
            out.writeInt(p.kernel());
            out.writeInt(p.stride());
        } else if (layer instanceof DenseSpec d) {
            out.writeByte(DENSE);
            out.writeInt(d.units());
            out.writeString(d.activation().name());
            writeInit(out, d.init());
            out.writeDouble(d.biasInit());
        } else if (layer instanceof DropoutSpec d) {
            out.writeByte(DROPOUT);
            out.writeDouble(d.rate());
        } else if (layer instanceof FlattenSpec) {
            out.writeByte(FLATTEN);
        } else if (layer instanceof BatchNormSpec b) {
            out.writeByte(BATCH_NORM);
            out.writeDouble(b.momentum());
            out.writeString(b.activation().name());
        } else {
            throw new KryoException("no serializer for layer " + layer.getClass().getName());
        }
    }

    private static LayerSpec readLayer(Input in) {
        byte kind = in.readByte();
        return switch (kind) {
            case CONV -> new Conv2dSpec(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readBoolean(),
                    Activation.valueOf(in.readString()), readInit(in), in.readDouble());
            case POOL -> new Pool2dSpec(in.readBoolean(), in.readInt(), in.readInt());
            case DENSE -> new DenseSpec(in.readInt(), Activation.valueOf(in.readString()), readInit(in),
                    in.readDouble());
            case DROPOUT -> new DropoutSpec(in.readDouble());
            case FLATTEN -> new FlattenSpec();
            case BATCH_NORM -> new BatchNormSpec(in.readDouble(), Activation.valueOf(in.readString()));
            default -> throw new KryoException("unknown layer kind " + kind);
        };
    }

    private static void writeInit(Output out, WeightInit w) {
        out.writeString(w.kind().name());
        out.writeDouble(w.value());
    }

    private static WeightInit readInit(Input in) {
        return new WeightInit(WeightInit.Kind.valueOf(in.readString()), in.readDouble());
    }
}
