package org.sparkcnn.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.core.train.Augmentation;
import org.sparkcnn.core.train.BatchTransforms;
import scala.reflect.ClassTag$;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every registration has its own serializer (none is Java serialization), and the configuration ones round-trip. */
class KryoRegistratorTest {

    @Test
    void noClassIsRegisteredWithJavaSerialization() {
        Kryo kryo = new Kryo();
        new KryoRegistrator().registerClasses(kryo);
        List<String> java = new ArrayList<>();
        int registered = 0;
        for (int id = 0; id < kryo.getNextRegistrationId(); id++) {
            Registration r = kryo.getRegistration(id);
            if (r != null) {
                registered++;
                if (r.getSerializer() instanceof JavaSerializer
                        || r.getSerializer().getClass().getSimpleName().endsWith("JavaSerializer")) {
                    java.add(r.getType().getName());
                }
            }
        }
        assertTrue(registered > 30, registered + " registrations");
        assertEquals(List.of(), java, "registered with Java serialization");
    }

    /** Through Spark's KryoSerializer as the job configures it (registration required). */
    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) {
        SparkConf conf = new SparkConf().set("spark.kryo.registrator", KryoRegistrator.class.getName())
                .set("spark.kryo.registrationRequired", "true");
        SerializerInstance ser = new KryoSerializer(conf).newInstance();
        var tag = ClassTag$.MODULE$.<T>apply((Class<T>) value.getClass());
        return ser.deserialize(ser.serialize(value, tag), tag);
    }

    @Test
    void aTrainingPlanWithEveryLayerKindRoundTrips() {
        ModelSpec spec = ModelSpec.parse("input3x20x20,conv3x3x6:s2:same:tanh:normal0.05:bias0.1,maxpool2,"
                + "conv2x2x4:relu:he,batchnorm0.2:relu,avgpool2:s1,flatten,dropout0.0001,dense12:sigmoid:constant-0.5,batchnorm,"
                + "softmax5:xavier-uniform");
        OptimizerConfig adam = new OptimizerConfig(OptimizerConfig.Kind.ADAM, LearningRate.stepDecay(1e-3, 0.5, 40),
                0.8, 0.85, 0.995, 1e-7, 1e-4, 0.01);
        BatchTransforms transforms = new BatchTransforms(new Augmentation(2, 15, 0.1, true), 0.05);
        TrainingPlan plan = new TrainingPlan(spec, adam, 3, 4, 1, 32, 5, -7L, false, transforms);
        TrainingPlan back = roundTrip(plan);
        assertEquals(plan, back);
        for (LearningRate lr : new LearningRate[]{LearningRate.cosine(0.1, 12, 2), LearningRate.epochSteps(0.1,
                0.3, 4, 1)}) {
            OptimizerConfig sgd = new OptimizerConfig(OptimizerConfig.Kind.SGD, lr, 0, 0.9, 0.999, 1e-8, 0);
            TrainingPlan p = new TrainingPlan(spec, sgd, 1, 1, 0, 8, 12, 1, true);
            assertEquals(p, roundTrip(p));
        }
        assertEquals(spec.toText(), back.spec().toText());
        assertEquals(ModelSpec.parse("conv5x5x4,softmax10:bias0.25,loss=quadratic"),
                roundTrip(ModelSpec.parse("conv5x5x4,softmax10:bias0.25,loss=quadratic")));
    }

    @Test
    void aSchemaKeepsItsTypesAndMetadata() {
        Metadata meta = new MetadataBuilder().putString("ml_attr", "{\"num_vals\":10}").build();
        StructType schema = new StructType(new StructField[]{
                new StructField("image", DataTypes.createArrayType(DataTypes.FloatType, false), false, Metadata.empty()),
                new StructField("label", DataTypes.IntegerType, true, meta)});
        StructType back = roundTrip(schema);
        assertEquals(schema, back);
        assertEquals("{\"num_vals\":10}", back.fields()[1].metadata().getString("ml_attr"));
    }

    /** A field added to one of these records must be added to its serializer too (it would otherwise be dropped). */
    @Test
    void theSerializersKnowEveryFieldOfTheirRecords() {
        assertEquals(10, TrainingPlan.class.getRecordComponents().length, "TrainingPlan: update ConfigSerializers");
        assertEquals(8, OptimizerConfig.class.getRecordComponents().length, "OptimizerConfig: update ConfigSerializers");
        assertEquals(7, LearningRate.class.getRecordComponents().length, "LearningRate: update ConfigSerializers");
        assertEquals(2, BatchTransforms.class.getRecordComponents().length, "BatchTransforms: update ConfigSerializers");
        assertEquals(4, Augmentation.class.getRecordComponents().length, "Augmentation: update ConfigSerializers");
        assertEquals(3, ModelSpec.class.getRecordComponents().length, "ModelSpec: update ConfigSerializers");
        assertEquals(8, org.sparkcnn.core.layers.Conv2dSpec.class.getRecordComponents().length, "Conv2dSpec");
        assertEquals(4, org.sparkcnn.core.layers.DenseSpec.class.getRecordComponents().length, "DenseSpec");
        assertEquals(3, org.sparkcnn.core.layers.Pool2dSpec.class.getRecordComponents().length, "Pool2dSpec");
        assertEquals(2, org.sparkcnn.core.layers.BatchNormSpec.class.getRecordComponents().length, "BatchNormSpec");
        assertEquals(6, org.sparkcnn.core.layers.LayerSpec.class.getPermittedSubclasses().length, "a new layer kind");
    }
}
