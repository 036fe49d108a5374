package org.sparkcnn.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.core.layers.ActivationLayer;
import org.sparkcnn.core.layers.Conv2dSpec;
import org.sparkcnn.core.layers.DenseSpec;
import org.sparkcnn.core.layers.FlattenSpec;
import org.sparkcnn.core.layers.Layer;
import org.sparkcnn.core.layers.LayerSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A model at run time: its spec, one flat parameter vector, one flat gradient vector of the same length, and the
 * layers' work buffers (kept between steps). Not thread-safe: one network per thread.
 *
 * <p>Parameters are laid out layer by layer, each layer's weights then its biases; every layer works on views of
 * the flat vectors, so averaging or serializing a model is one array operation.
 */
public final class Network {
    private final ModelSpec spec;
    private final DataType dtype;
    private final INDArray params;
    private final INDArray grads;
    private final List<Layer> layers = new ArrayList<>();
    private final boolean fusedSoftmax;
    private INDArray logits;
    private INDArray gradOut;

    public Network(ModelSpec spec, DataType dtype) {
        this(spec, dtype, Nd4j.zeros(dtype, spec.paramCount()));
    }

    /**
     * A network that reads {@code main}'s parameter vector (the same memory, never written here) and has its own
     * gradient vector and work buffers: one replica per extra thread computes part of a minibatch's gradient.
     */
    public static Network replicaOf(Network main) {
        return new Network(main.spec, main.dtype, main.params);
    }

    private Network(ModelSpec spec, DataType dtype, INDArray params) {
        this.spec = spec;
        this.dtype = dtype;
        long n = spec.paramCount();
        this.params = params;
        this.grads = Nd4j.zeros(dtype, n);
        long offset = 0;
        Shape shape = spec.input();
        boolean flat = false;     // activations are [N, K] matrices after a dense or flatten layer, else [N, C, H, W]
        for (LayerSpec ls : spec.layers()) {
            if (ls instanceof DenseSpec && !flat) {
                layers.add(new FlattenSpec().create(shape, dtype));
            }
            flat = ls instanceof DenseSpec || ls instanceof FlattenSpec || (flat && !(ls instanceof Conv2dSpec)
                    && !(ls instanceof org.sparkcnn.core.layers.Pool2dSpec));
            Layer layer = ls.create(shape, dtype);
            long count = ls.paramCount(shape);
            if (count > 0) {
                layer.bind(params.get(NDArrayIndex.interval(offset, offset + count)),
                        grads.get(NDArrayIndex.interval(offset, offset + count)));
            }
            offset += count;
            layers.add(layer);
            Activation act = ls instanceof Conv2dSpec c ? c.activation()
                    : ls instanceof DenseSpec d ? d.activation() : Activation.IDENTITY;
            if (act != Activation.IDENTITY) {
                layers.add(new ActivationLayer(act));
            }
            shape = ls.outputShape(shape);
        }
        this.fusedSoftmax = spec.loss() == Loss.CROSS_ENTROPY;
    }

    public ModelSpec spec() {
        return spec;
    }

    public DataType dataType() {
        return dtype;
    }

    /** The flat parameter vector [P] (live: writing it changes the model). */
    public INDArray params() {
        return params;
    }

    /** The flat gradient vector [P] filled by {@link #gradient}. */
    public INDArray grads() {
        return grads;
    }

    /** Draws initial parameters; each parameterized layer gets its own stream split from {@code seed}. */
    public Network initialize(long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        for (Layer l : layers) {
            l.initialize(root.split());
        }
        return this;
    }

    /** Inference: x [N, C, H, W] to outputs [N, K] (class probabilities for a softmax model). */
    public INDArray output(INDArray x) {
        INDArray a = forward(x, false, 0);
        if (fusedSoftmax) {
            Activation.SOFTMAX.forward(a);
        }
        return a;
    }

    /**
     * Inference for classification: x [N, C, H, W] to the raw outputs [N, K] (the logits of a softmax model, else the
     * output layer's values), the class probabilities [N, K] (the softmax of the logits; for a model without a
     * softmax, the outputs clipped at 0 and divided by their row sum, uniform where that is 0) and the predicted
     * classes [N] (arg-max of the raw outputs, as {@link #score} counts them).
     */
    public Prediction predict(INDArray x) {
        INDArray raw = forward(x, false, 0).dup('c');
        INDArray predicted = Nd4j.argMax(raw, 1);
        INDArray p = raw.dup('c');
        if (fusedSoftmax) {
            Activation.SOFTMAX.forward(p);
        } else {
            Transforms.max(p, 0, false);
            INDArray sums = p.sum(true, 1);
            for (int i = 0; i < p.rows(); i++) {
                double s = sums.getDouble(i, 0);
                if (s > 0) {
                    p.getRow(i).divi(s);
                } else {
                    p.getRow(i).assign(1.0 / p.columns());
                }
            }
        }
        return new Prediction(raw, p, predicted);
    }

    /** What {@link #predict} computes for a batch: raw outputs [N, K], probabilities [N, K], classes [N]. */
    public record Prediction(INDArray raw, INDArray probabilities, INDArray predicted) { }

    /** Runs every layer but a fused softmax; keeps the logits. */
    private INDArray forward(INDArray x, boolean training, long noiseSeed) {
        INDArray a = x;
        int end = fusedSoftmax ? layers.size() - 1 : layers.size();
        SplittableRandom noise = new SplittableRandom(noiseSeed);
        for (int i = 0; i < end; i++) {
            a = layers.get(i).forward(a, training, noise.nextLong());
        }
        if (fusedSoftmax) {
            logits = a;
        }
        return a;
    }

    /**
     * One gradient evaluation: zeroes the gradient, runs forward in training mode and backward, and leaves
     * dL/dθ in {@link #grads}. {@code y} is [N, K] (one-hot for classification). Returns the mean loss L.
     * {@code noiseSeed} seeds the dropout masks of this call.
     */
    public double gradient(INDArray x, INDArray y, long noiseSeed) {
        if (spec.usesStep()) {
            throw new IllegalStateException(Activation.STEP_MESSAGE);
        }
        grads.assign(0);
        INDArray a = forward(x, true, noiseSeed);
        long n = x.size(0);
        gradOut = reuse(gradOut, a.shape());
        double loss;
        int last;
        if (fusedSoftmax) {
            // L = -(1/N) sum y·log softmax(z);  dL/dz = (softmax(z) - y)/N
            loss = softmaxCrossEntropy(a, y, gradOut);
            last = layers.size() - 2;
        } else {
            // L = (1/(N K)) sum (a - y)^2;  dL/da = 2 (a - y) / (N K)
            long count = a.length();
            gradOut.assign(a).subi(y);
            loss = gradOut.norm2Number().doubleValue();
            loss = loss * loss / count;
            gradOut.muli(2.0 / count);
            last = layers.size() - 1;
        }
        INDArray g = gradOut;
        for (int i = last; i >= 0; i--) {
            g = layers.get(i).backward(g, i > 0);
        }
        return loss;
    }

    /**
     * L = -(1/N) sum_i sum_k y_ik log softmax(z_i)_k for logits z [N, K], computed row by row in double with the
     * log-sum-exp shifted by the row maximum; writes dL/dz = (softmax(z) - y)/N into {@code grad} (c-order [N, K]).
     */
    private static double softmaxCrossEntropy(INDArray logits, INDArray y, INDArray grad) {
        int n = (int) logits.size(0);
        int k = (int) logits.size(1);
        double[] z = logits.dup('c').data().asDouble();     // one copy each, not one per row
        double[] t = y.dup('c').data().asDouble();
        boolean single = grad.dataType() == DataType.FLOAT;
        java.nio.FloatBuffer gf = single ? grad.data().asNioFloat() : null;
        java.nio.DoubleBuffer gd = single ? null : grad.data().asNioDouble();
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[i * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(z[i * k + j] - max);
            }
            double logSum = max + Math.log(sum);
            for (int j = 0; j < k; j++) {
                double logP = z[i * k + j] - logSum;
                loss -= t[i * k + j] * logP;
                double g = (Math.exp(logP) - t[i * k + j]) / n;
                if (single) {
                    gf.put(i * k + j, (float) g);
                } else {
                    gd.put(i * k + j, g);
                }
            }
        }
        return loss / n;
    }

    /** Per-example losses of the current parameters for outputs [N, K] against targets y [N, K]. */
    public INDArray exampleLosses(INDArray x, INDArray y) {
        return score(x, y).losses();
    }

    /** Per-example losses [N] and predicted classes [N] (arg-max of the outputs) from one inference pass. */
    public record Scored(INDArray losses, INDArray predicted) { }

    /** Scores a batch: x [N, C, H, W] against targets y [N, K], with a single forward pass. */
    public Scored score(INDArray x, INDArray y) {
        INDArray out = forward(x, false, 0);
        INDArray predicted = Nd4j.argMax(out, 1);           // softmax is monotonic: arg-max of logits = of probabilities
        if (fusedSoftmax) {
            INDArray lp = out.dup();
            Nd4j.getExecutioner().exec(new LogSoftMax(out, lp));
            return new Scored(lp.muli(y).sum(1).negi(), predicted);
        }
        INDArray d = out.sub(y);
        return new Scored(d.muli(d).mean(1), predicted);
    }

    private INDArray reuse(INDArray current, long[] shape) {
        if (current != null && java.util.Arrays.equals(current.shape(), shape)) {
            return current;
        }
        return Nd4j.createUninitialized(dtype, shape, 'c');
    }

    /** The runtime layer list (flatten and activation layers included), for tests. */
    List<Layer> runtimeLayers() {
        return layers;
    }
}
