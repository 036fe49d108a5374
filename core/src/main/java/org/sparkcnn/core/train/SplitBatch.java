package org.sparkcnn.core.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.OneDnn;
import org.sparkcnn.core.Network;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.core.data.ImageSet;
import org.sparkcnn.core.optim.Optimizer;
import org.sparkcnn.core.optim.StepTime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * A minibatch SGD step on T threads (data parallelism inside one step, as PyTorch's intra-op threads do for a CPU
 * convolution). First the batch of N is cut into min(T, N / 8) contiguous chunks (at least one) of sizes differing
 * by at most one, and chunk i's mean-loss gradient g_i is computed by replica i (replica 0 is the trainer's
 * network, the others share its parameter memory and own their gradients and work buffers). Then the parameter vector is cut into T ranges and
 * thread i, for its range, forms the minibatch gradient Σ_i (n_i / N) g_i (summed in chunk order) and applies the
 * optimizer's update there. The result is the single-threaded step up to float rounding, the same for the same T
 * run after run. Dropout masks are drawn per chunk (seed mixed with the chunk index), so a model with dropout
 * trains on different masks for different T.
 */
final class SplitBatch implements AutoCloseable {
    /** Fewest examples per chunk: smaller chunks cost more in thread hand-offs and thin GEMMs than they save. */
    static final int MIN_CHUNK = 8;

    private final Network[] replicas;
    private final INDArray[] xs;
    private final INDArray[] ys;
    private final INDArray[] paramRanges;      // [range]: the main parameters' views
    private final INDArray[][] gradRanges;     // [replica][range]: each replica's gradient views
    private final Optimizer.Part[] updates;    // [range]
    private final ExecutorService pool;
    private final BatchTransforms transforms;

    SplitBatch(Network main, Optimizer optimizer, int threads, BatchTransforms transforms) {
        this.transforms = transforms;
        this.replicas = new Network[threads];
        this.xs = new INDArray[threads];
        this.ys = new INDArray[threads];
        replicas[0] = main;
        for (int i = 1; i < threads; i++) {
            replicas[i] = Network.replicaOf(main);
        }
        long n = main.params().length();
        int ranges = (int) Math.min(threads, n);
        this.paramRanges = new INDArray[ranges];
        this.gradRanges = new INDArray[threads][ranges];
        this.updates = new Optimizer.Part[ranges];
        for (int r = 0; r < ranges; r++) {
            long lo = n * r / ranges;
            long hi = n * (r + 1) / ranges;
            paramRanges[r] = main.params().get(NDArrayIndex.interval(lo, hi));
            updates[r] = optimizer.part(lo, hi);
            for (int i = 0; i < threads; i++) {
                gradRanges[i][r] = replicas[i].grads().get(NDArrayIndex.interval(lo, hi));
            }
        }
        this.pool = Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(() -> {
                OneDnn.threadsOnThisThread(1);
                r.run();
            }, "spark-cnn-split-batch");
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return replicas.length;
    }

    /**
     * One step on examples {@code order[from .. from+count)} at {@code time}: returns the minibatch's mean
     * loss and, when it is finite, updates the parameters (a NaN or infinite loss leaves them as they were). The
     * trainer's network holds the minibatch gradient afterwards.
     */
    double step(ImageSet data, int[] order, int from, int count, StepTime time, long noiseSeed) {
        int parts = Math.max(1, Math.min(replicas.length, count / MIN_CHUNK));
        double[] losses = new double[parts];
        onThreads(parts, i -> losses[i] = chunk(i, data, order, from, count, parts, noiseSeed));
        double loss = 0;
        double[] w = new double[parts];
        for (int i = 0; i < parts; i++) {
            w[i] = (double) chunkSize(count, parts, i) / count;
            loss += w[i] * losses[i];
        }
        if (!Double.isFinite(loss)) {
            return loss;
        }
        onThreads(updates.length, r -> {
            // g = Σ_i (n_i/N) g_i on this range, then the update of this range
            INDArray g = gradRanges[0][r];
            g.muli(w[0]);
            for (int i = 1; i < parts; i++) {
                Nd4j.getBlasWrapper().level1().axpy(g.length(), w[i], gradRanges[i][r], g);
            }
            updates[r].step(paramRanges[r], g, time);
        });
        return loss;
    }

    /** Runs task(0 .. k-1): task 0 on the calling thread, the others on the pool; returns when all are done. */
    private void onThreads(int k, IntConsumer task) {
        Future<?>[] running = new Future<?>[k];
        for (int i = 1; i < k; i++) {
            int index = i;
            running[i] = pool.submit(() -> task.accept(index));
        }
        RuntimeException failure = null;
        try {
            task.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (int i = 1; i < k; i++) {
            try {
                running[i].get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private double chunk(int i, ImageSet data, int[] order, int from, int count, int parts, long noiseSeed) {
        int start = chunkStart(count, parts, i);
        int n = chunkSize(count, parts, i);
        Network net = replicas[i];
        var in = net.spec().input();
        if (xs[i] == null || xs[i].size(0) != n) {
            xs[i] = Nd4j.createUninitialized(DataType.FLOAT, new long[]{n, in.channels(), in.height(), in.width()}, 'c');
            ys[i] = Nd4j.createUninitialized(DataType.FLOAT, new long[]{n, net.spec().outputs()}, 'c');
        }
        data.fillBatch(order, from + start, n, xs[i], ys[i]);
        transforms.apply(xs[i], ys[i], in, start, noiseSeed);
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
