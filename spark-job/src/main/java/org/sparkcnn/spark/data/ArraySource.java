package org.sparkcnn.spark.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.train.DataOrder;

import java.util.ArrayList;
import java.util.List;

/**
 * A data set the driver already holds (small sets: tests, the DL4J peers' evaluation): shipped to the executors
 * once, in equal contiguous ranges, and cached there like any other source. Labels are checked on the driver.
 */
public final class ArraySource implements ImageSource {
    private final ImageArray data;
    private final String name;

    public ArraySource(ImageArray data, String name) {
        this.data = data;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Shape shape() {
        return data.shape();
    }

    @Override
    public long size() {
        return data.size();
    }

    @Override
    public boolean aligned() {
        return true;
    }

    @Override
    public JavaRDD<ExampleChunk> read(JavaSparkContext sc, int partitions, int classes) {
        for (int i = 0; i < data.size(); i++) {
            if (data.label(i) >= classes) {
                throw new IllegalArgumentException(name + ": label " + data.label(i) + " at row " + i
                        + " is not below the model's " + classes + " classes");
            }
        }
        List<ExampleChunk> ranges = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int from = DataOrder.shardStart(data.size(), partitions, p);
            int to = DataOrder.shardStart(data.size(), partitions, p + 1);
            int[] index = new int[to - from];
            for (int j = 0; j < index.length; j++) {
                index[j] = from + j;
            }
            int[] rows = index.clone();
            ranges.add(new ExampleChunk(index, data.select(rows)));
        }
        return sc.parallelize(ranges, partitions);
    }
}
