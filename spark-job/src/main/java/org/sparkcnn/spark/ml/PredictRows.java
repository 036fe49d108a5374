package org.sparkcnn.spark.ml;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.spark.NativeThreads;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Executor side of {@link CnnClassificationModel#transform}: a partition's rows in batches of {@link #BATCH}, each
 * row given the requested output columns (raw prediction, probability, prediction, in that order) after its own.
 * The parameters come from one broadcast; the network is built once per partition.
 */
final class PredictRows implements MapPartitionsFunction<Row, Row> {
    static final int BATCH = 256;
    private final ModelSpec spec;
    private final Broadcast<float[]> params;
    private final FeatureValues features;
    private final boolean raw;
    private final boolean probability;
    private final boolean prediction;

    PredictRows(ModelSpec spec, Broadcast<float[]> params, FeatureValues features, boolean raw, boolean probability,
                boolean prediction) {
        this.spec = spec;
        this.params = params;
        this.features = features;
        this.raw = raw;
        this.probability = probability;
        this.prediction = prediction;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        TaskContext ctx = TaskContext.get();
        NativeThreads.limit(ctx == null ? 1 : Math.max(1, ctx.cpus()));
        Network net = new Network(spec);
        net.params().assign(Nd4j.createFromArray(params.value()));
        return new Iterator<>() {
            private final List<Row> done = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                if (next == done.size()) {
                    done.clear();
                    next = 0;
                    fill(rows, net, done);
                }
                return next < done.size();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return done.get(next++);
            }
        };
    }

    /** Predicts the next batch of {@code rows} into {@code out}; nothing when the rows are exhausted. */
    private void fill(Iterator<Row> rows, Network net, List<Row> out) {
        List<Row> batch = new ArrayList<>(BATCH);
        while (batch.size() < BATCH && rows.hasNext()) {
            batch.add(rows.next());
        }
        if (batch.isEmpty()) {
            return;
        }
        int n = batch.size();
        int per = spec.input().size();
        byte[] pixels = new byte[n * per];
        for (int i = 0; i < n; i++) {
            features.decode(batch.get(i), pixels, i * per);
        }
        ImageArray images = new ImageArray(pixels, new byte[n], spec.input());
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        var in = spec.input();
        INDArray x = Nd4j.createUninitialized(DataType.FLOAT, new long[]{n, in.channels(), in.height(), in.width()},
                'c');
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, new long[]{n, spec.outputs()}, 'c');
        images.fillBatch(order, 0, n, x, y);                  // the pixels / 255 that training and evaluation read
        Network.Prediction p = net.predict(x);
        for (int i = 0; i < n; i++) {
            Row r = batch.get(i);
            List<Object> values = new ArrayList<>(r.length() + 3);
            for (int c = 0; c < r.length(); c++) {
                values.add(r.get(c));
            }
            if (raw) {
                values.add(Vectors.dense(p.raw().getRow(i).toDoubleVector()));
            }
            if (probability) {
                values.add(Vectors.dense(p.probabilities().getRow(i).toDoubleVector()));
            }
            if (prediction) {
                values.add((double) p.predicted().getLong(i));
            }
            out.add(RowFactory.create(values.toArray()));
        }
    }
}
