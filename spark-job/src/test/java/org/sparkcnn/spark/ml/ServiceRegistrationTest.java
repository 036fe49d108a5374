package org.sparkcnn.spark.ml;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Transformer;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark Connect ML finds server-side stages with {@link ServiceLoader} over {@code org.apache.spark.ml.Estimator}
 * and {@code Transformer}, instantiating each: ours are found and can be instantiated, and the placeholder model
 * refuses to transform.
 */
class ServiceRegistrationTest {
    @Test
    void estimatorAndModelAreRegisteredAndLoadable() {
        boolean estimator = ServiceLoader.load(Estimator.class).stream()
                .anyMatch(p -> p.type().equals(CnnClassifier.class) && p.get() instanceof CnnClassifier);
        assertTrue(estimator, "CnnClassifier in META-INF/services/org.apache.spark.ml.Estimator");
        CnnClassificationModel placeholder = ServiceLoader.load(Transformer.class).stream()
                .filter(p -> p.type().equals(CnnClassificationModel.class)).findFirst().orElseThrow().get()
                instanceof CnnClassificationModel m ? m : null;
        assertTrue(placeholder != null, "CnnClassificationModel in META-INF/services/org.apache.spark.ml.Transformer");
        assertThrows(IllegalStateException.class, () -> placeholder.transformSchema(
                new org.apache.spark.sql.types.StructType()));
        assertEquals("features", placeholder.getFeaturesCol());
    }
}
