package org.sparkcnn.core.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.data.MnistDataset;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A minibatch's gradient on T threads (data parallelism inside one step, as PyTorch's intra-op threads do for a
 * CPU convolution): the batch is cut into T contiguous chunks of sizes differing by at most one, chunk i's
 * mean-loss gradient g_i is computed by replica i (replica 0 is the trainer's network, the others share its
 * parameter memory and own their gradients and work buffers), and the network's gradient becomes
 * Σ_i (n_i / N) g_i, summed in chunk order: the minibatch-mean gradient up to float rounding, the same for the
 * same T run after run. Dropout masks are drawn per chunk (seed mixed with the chunk index), so a model with
 * dropout trains on different masks for different T.
 */
final class SplitBatch implements AutoCloseable {
    private final Network[] replicas;
    private final INDArray[] xs;
    private final INDArray[] ys;
    private final ExecutorService pool;

    SplitBatch(Network main, int threads) {
        this.replicas = new Network[threads];
        this.xs = new INDArray[threads];
        this.ys = new INDArray[threads];
        replicas[0] = main;
        for (int i = 1; i < threads; i++) {
            replicas[i] = Network.replicaOf(main);
        }
        this.pool = Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "spark-cnn-split-batch");
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return replicas.length;
    }

    /**
     * Fills the chunks of examples {@code order[from .. from+count)} and computes their gradients in parallel; leaves
     * the minibatch-mean gradient in replica 0's gradient vector and returns the minibatch's mean loss.
     */
    double gradient(MnistDataset data, int[] order, int from, int count, long noiseSeed) {
        int parts = Math.min(replicas.length, count);
        double[] losses = new double[parts];
        Future<?>[] running = new Future<?>[parts];
        for (int i = 1; i < parts; i++) {
            int part = i;
            running[i] = pool.submit(() -> {
                losses[part] = chunk(part, data, order, from, count, parts, noiseSeed);
            });
        }
        losses[0] = chunk(0, data, order, from, count, parts, noiseSeed);
        for (int i = 1; i < parts; i++) {
            try {
                running[i].get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while computing a gradient", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
        // g = Σ_i (n_i/N) g_i: scale chunk 0's gradient in place, then add the others
        INDArray g = replicas[0].grads();
        double loss = 0;
        for (int i = 0; i < parts; i++) {
            double w = (double) chunkSize(count, parts, i) / count;
            loss += w * losses[i];
            if (i == 0) {
                g.muli(w);
            } else {
                Nd4j.getBlasWrapper().level1().axpy(g.length(), w, replicas[i].grads(), g);
            }
        }
        return loss;
    }

    private double chunk(int i, MnistDataset data, int[] order, int from, int count, int parts, long noiseSeed) {
        int start = chunkStart(count, parts, i);
        int n = chunkSize(count, parts, i);
        Network net = replicas[i];
        var in = net.spec().input();
        if (xs[i] == null || xs[i].size(0) != n) {
            xs[i] = Nd4j.createUninitialized(DataType.FLOAT, new long[]{n, in.channels(), in.height(), in.width()}, 'c');
            ys[i] = Nd4j.createUninitialized(DataType.FLOAT, new long[]{n, net.spec().outputs()}, 'c');
        }
        data.fillBatch(order, from + start, n, xs[i], ys[i]);
        return net.gradient(xs[i], ys[i], i == 0 ? noiseSeed : Seeds.mix(noiseSeed, i));
    }

    private static int chunkStart(int count, int parts, int i) {
        return (int) ((long) count * i / parts);
    }

    private static int chunkSize(int count, int parts, int i) {
        return chunkStart(count, parts, i + 1) - chunkStart(count, parts, i);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
