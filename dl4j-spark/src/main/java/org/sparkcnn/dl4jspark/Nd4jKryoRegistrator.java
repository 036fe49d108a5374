package org.sparkcnn.dl4jspark;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Kryo for ND4J arrays: every {@link INDArray} (off-heap data Kryo cannot walk) goes through nd4j-kryo's
 * {@link Nd4jSerializer}. Stands in for {@code org.nd4j.kryo.Nd4jRegistrator}, which the 1.0.0-M2 nd4j-kryo jar
 * does not contain. Listed after the project's registrator for the DL4J Spark engine; see {@link Dl4jSparkEngine}.
 */
public final class Nd4jKryoRegistrator implements KryoRegistrator {

    @Override
    public void registerClasses(Kryo kryo) {
        kryo.addDefaultSerializer(INDArray.class, Nd4jSerializer.class);
    }
}
