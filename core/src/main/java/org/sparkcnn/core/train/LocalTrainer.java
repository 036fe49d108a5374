package org.sparkcnn.core.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.OneDnn;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.data.ImageSet;
import org.sparkcnn.core.optim.Optimizer;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.core.optim.StepTime;

/**
 * Minibatch SGD: a network, its optimizer and the minibatch buffers, all reused between steps. A Spark worker
 * keeps one of these between rounds and runs its local steps through {@link #step}. With {@code threads} &gt; 1
 * each step's gradient is computed on that many threads, each on a part of the minibatch ({@link SplitBatch});
 * native BLAS should then run single-threaded, so the threads do not oversubscribe the cores.
 */
public final class LocalTrainer implements AutoCloseable {
    private final Network network;
    private final Optimizer optimizer;
    private final SplitBatch split;
    private final BatchTransforms transforms;
    private INDArray x;
    private INDArray y;

    public LocalTrainer(ModelSpec spec, OptimizerConfig config) {
        this(spec, config, 1);
    }

    public LocalTrainer(ModelSpec spec, OptimizerConfig config, int threads) {
        this(spec, config, threads, BatchTransforms.NONE);
    }

    /** With each training minibatch augmented and its labels smoothed as {@code transforms} says. */
    public LocalTrainer(ModelSpec spec, OptimizerConfig config, int threads, BatchTransforms transforms) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.network = new Network(spec);
        this.optimizer = config.create(spec.paramCount(), DataType.FLOAT, spec.statisticsRanges());
        this.transforms = transforms;
        this.split = threads > 1 ? new SplitBatch(network, optimizer, threads, transforms) : null;
    }

    /** Threads computing each step's gradient. */
    public int threads() {
        return split == null ? 1 : split.threads();
    }

    public Network network() {
        return network;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * One SGD step on examples {@code order[from .. from+count)} of {@code data} at {@code time};
     * {@code noiseSeed} seeds dropout and augmentation. Returns the minibatch's mean loss before the update.
     */
    public double step(ImageSet data, int[] order, int from, int count, StepTime time, long noiseSeed) {
        OneDnn.threadsOnThisThread(1);     // each of the trainer's threads computes on one core
        // the split step updates the parameters itself, range by range on its threads, when the loss is finite
        double loss = split != null ? split.step(data, order, from, count, time, noiseSeed)
                : gradient(data, order, from, count, noiseSeed);
        if (!Double.isFinite(loss)) {
            throw new DivergedException("the training loss became " + loss + " at iteration " + time.iteration()
                    + " (divergence): lower the learning rate");
        }
        if (split == null) {
            optimizer.step(network.params(), network.grads(), time);
        }
        return loss;
    }

    private double gradient(ImageSet data, int[] order, int from, int count, long noiseSeed) {
        var in = network.spec().input();
        if (x == null || x.size(0) != count) {
            x = Nd4j.createUninitialized(DataType.FLOAT, new long[]{count, in.channels(), in.height(), in.width()}, 'c');
            y = Nd4j.createUninitialized(DataType.FLOAT, new long[]{count, network.spec().outputs()}, 'c');
        }
        data.fillBatch(order, from, count, x, y);
        transforms.apply(x, y, in, 0, noiseSeed);
        return network.gradient(x, y, noiseSeed);
    }

    /** Stops the gradient threads (a single-threaded trainer holds none). */
    @Override
    public void close() {
        if (split != null) {
            split.close();
        }
    }

    /** Thrown when the loss becomes NaN or infinite. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    /** Called after each step of {@link #fit}. */
    public interface Listener {
        void onStep(int epoch, long iteration, double loss, int examples);
    }

    /**
     * Plain single-process SGD: {@code epochs} passes over {@code data} in the order of {@link DataOrder} (one
     * worker), batches of {@code batch} (the last of an epoch may be short). Iteration t counts steps from 0.
     */
    public void fit(ImageSet data, int batch, int epochs, long seed, Listener listener) {
        long t = 0;
        int n = data.size();
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = DataOrder.permutation(n, seed, epoch);
            int batches = DataOrder.batches(n, batch);
            for (int b = 0; b < batches; b++) {
                int from = b * batch;
                int count = Math.min(batch, n - from);
                double loss = step(data, order, from, count, StepTime.of(t, epoch, b, batches),
                        Seeds.mix(seed, epoch, 0, b));
                if (listener != null) {
                    listener.onStep(epoch, t, loss, count);
                }
                t++;
            }
        }
    }
}
