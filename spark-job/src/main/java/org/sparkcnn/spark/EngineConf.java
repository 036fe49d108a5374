package org.sparkcnn.spark;

import org.apache.spark.SparkConf;

/**
 * The Spark settings the native engine runs with, wherever it is started from (the command line, the benchmark,
 * the tests): Kryo with every shipped class registered (strict), and the round-overhead settings.
 */
public final class EngineConf {
    private EngineConf() { }

    /** Sets the engine's settings on {@code conf} and returns it. */
    public static SparkConf apply(SparkConf conf) {
        return conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", KryoRegistrator.class.getName())
                .set("spark.kryo.registrationRequired", "true")
                // Unsafe-based Kryo streams copy float arrays in bulk instead of float by float.
                .set("spark.kryo.unsafe", "true")
                // Parameters are random-looking floats: compressing their broadcast costs time and saves little.
                .set("spark.broadcast.compress", "false")
                // Worker results of a few MB go straight back to the driver, not through the block manager.
                .set("spark.task.maxDirectResultSize", "268435456");
    }
}
