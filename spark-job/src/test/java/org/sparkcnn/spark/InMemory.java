package org.sparkcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.spark.data.ArraySource;
import org.sparkcnn.spark.data.Layout;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.data.TrainingData;

/** Test helpers: data sets the test holds, cached on the executors as the trainer expects. */
final class InMemory {
    private InMemory() { }

    /** {@code data} as the training set of {@code plan}, reshuffled across shards every {@code reshuffleEvery}. */
    static TrainingData training(JavaSparkContext sc, ImageArray data, TrainingPlan plan, int reshuffleEvery) {
        return new TrainingData(sc, new ArraySource(data, "training set"), plan.workers(), plan.spec().outputs(),
                plan.seed(), reshuffleEvery, plan.epochs());
    }

    /** {@code data} cached in {@code shards} contiguous shards, for evaluation. */
    static Shards shards(JavaSparkContext sc, ImageArray data, int shards, int classes) {
        return Shards.place(sc, new ArraySource(data, "test set"), shards, classes, Layout.sourceOrder(data.size()));
    }
}
