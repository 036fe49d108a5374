package org.sparkcnn.spark;

import org.junit.jupiter.api.Test;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.data.IdxFormatException;
import org.sparkcnn.core.optim.OptimizerConfig;

import javax.management.BadAttributeValueExpException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jdk.serialFilter the launchers set (scripts/lib/spark-env.sh): what a task closure of this job is built from
 * passes, a class outside the JDK's base module, Scala, Spark, Hadoop and spark-cnn is rejected.
 */
class SerialFilterTest {

    /** The -Djdk.serialFilter option exactly as the scripts pass it. */
    static String launcherOption() throws Exception {
        ChildProcess.Result r = ChildProcess.run(new ProcessBuilder("bash", "-c",
                "source scripts/lib/spark-env.sh && printf %s \"$SPARK_SERIAL_FILTER\"")
                .directory(LocalClusterIT.REPO.toFile()), 30);
        assertEquals(0, r.exitCode(), r.output());
        return r.output();
    }

    private static Object throughFilter(ObjectInputFilter filter, Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        }
    }

    private static ObjectInputFilter filter() throws Exception {
        String option = launcherOption();
        assertTrue(option.startsWith("-Djdk.serialFilter=") && option.endsWith(";!*"), option);
        return ObjectInputFilter.Config.createFilter(option.substring("-Djdk.serialFilter=".length()));
    }

    /** What a closure of this job captures: records, a lambda, Scala and Spark objects, a task's exception. */
    @Test
    void theJobsClosureContentsPass() throws Exception {
        ObjectInputFilter filter = filter();
        TrainingPlan plan = new TrainingPlan(ModelSpec.parse("conv5x5x4,maxpool2,dense16:relu,softmax10"),
                OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.02), 2, 5, 0, 64, 1, 7, true);
        assertEquals(plan, throughFilter(filter, plan));
        org.apache.spark.api.java.function.Function<Integer, Integer> twice =
                (org.apache.spark.api.java.function.Function<Integer, Integer> & Serializable) x -> 2 * x;
        assertTrue(throughFilter(filter, twice) instanceof org.apache.spark.api.java.function.Function);
        assertEquals(scala.collection.immutable.List.fill(3, () -> 1),
                throughFilter(filter, scala.collection.immutable.List.fill(3, () -> 1)));
        assertTrue(throughFilter(filter, new org.apache.spark.util.SerializableConfiguration(
                new org.apache.hadoop.conf.Configuration(false))) instanceof org.apache.spark.util.SerializableConfiguration);
        Object e = throughFilter(filter, new org.apache.spark.SparkException("job failed",
                new IdxFormatException("x-idx3", "bad magic")));
        assertEquals("x-idx3: bad magic", ((Exception) e).getCause().getMessage());
        assertEquals(List.of(1, 2), throughFilter(filter, new java.util.ArrayList<>(List.of(1, 2))));
        // MLlib's save and load (saveAsTextFile, textFile) ship Hadoop's classes by reference
        assertEquals(org.apache.hadoop.mapred.TextOutputFormat.class,
                throughFilter(filter, org.apache.hadoop.mapred.TextOutputFormat.class));
    }

    /** BadAttributeValueExpException (java.management) starts well-known gadget chains; nothing needs it. */
    @Test
    void aClassOutsideTheListIsRejected() throws Exception {
        ObjectInputFilter filter = filter();
        InvalidClassException e = assertThrows(InvalidClassException.class,
                () -> throughFilter(filter, new BadAttributeValueExpException("x")));
        assertTrue(e.getMessage().contains("REJECTED"), e.getMessage());
        assertThrows(InvalidClassException.class, () -> throughFilter(filter, new java.sql.Timestamp(0)));
    }
}
