package org.sparkcnn.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.core.layers.ActivationLayer;
import org.sparkcnn.core.layers.BatchNormSpec;
import org.sparkcnn.core.layers.Conv2dSpec;
import org.sparkcnn.core.layers.DenseSpec;
import org.sparkcnn.core.layers.FlattenSpec;
import org.sparkcnn.core.layers.Layer;
import org.sparkcnn.core.layers.LayerSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A model at run time: its spec, one flat float parameter vector, one flat gradient vector of the same length, and
 * the layers' work buffers (kept between steps). Not thread-safe: one network per thread.
 *
 * <p>Parameters are laid out layer by layer, each layer's weights then its biases; every layer works on views of
 * the flat vectors, so averaging or serializing a model is one array operation.
 */
public final class Network {
    private final ModelSpec spec;
    private final INDArray params;
    private final INDArray grads;
    private final List<Layer> layers = new ArrayList<>();
    private final LossFunction loss;
    private final boolean fusedSoftmax;     // the loss takes the logits: the last (softmax) layer is not run
    private INDArray gradOut;

    public Network(ModelSpec spec) {
        this(spec, Nd4j.zeros(DataType.FLOAT, spec.paramCount()));
    }

    /**
     * A network that reads {@code main}'s parameter vector (the same memory, never written here) and has its own
     * gradient vector and work buffers: one replica per extra thread computes part of a minibatch's gradient.
     */
    public static Network replicaOf(Network main) {
        Network replica = new Network(main.spec, main.params);
        replica.layers.forEach(Layer::readOnlyParameters);
        return replica;
    }

    private Network(ModelSpec spec, INDArray params) {
        this.spec = spec;
        long n = spec.paramCount();
        this.params = params;
        this.grads = Nd4j.zeros(DataType.FLOAT, n);
        long offset = 0;
        Shape shape = spec.input();
        boolean flat = false;     // activations are [N, K] matrices after a dense or flatten layer, else [N, C, H, W]
        for (LayerSpec ls : spec.layers()) {
            if (ls instanceof DenseSpec && !flat) {
                layers.add(new FlattenSpec().create(shape));
            }
            flat = ls instanceof DenseSpec || ls instanceof FlattenSpec || (flat && !(ls instanceof Conv2dSpec)
                    && !(ls instanceof org.sparkcnn.core.layers.Pool2dSpec));
            Layer layer = ls.create(shape);
            long count = ls.paramCount(shape);
            if (count > 0) {
                layer.bind(params.get(NDArrayIndex.interval(offset, offset + count)),
                        grads.get(NDArrayIndex.interval(offset, offset + count)));
            }
            offset += count;
            layers.add(layer);
            Activation act = ls instanceof Conv2dSpec c ? c.activation()
                    : ls instanceof DenseSpec d ? d.activation()
                    : ls instanceof BatchNormSpec b ? b.activation() : Activation.IDENTITY;
            if (act != Activation.IDENTITY) {
                layers.add(new ActivationLayer(act));
            }
            shape = ls.outputShape(shape);
        }
        this.loss = spec.loss().function();
        this.fusedSoftmax = loss.takesLogits();
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The flat float parameter vector [P] (live: writing it changes the model). */
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

    /** Runs every layer but a fused softmax: the loss's input. */
    private INDArray forward(INDArray x, boolean training, long noiseSeed) {
        INDArray a = x;
        int end = fusedSoftmax ? layers.size() - 1 : layers.size();
        SplittableRandom noise = new SplittableRandom(noiseSeed);
        for (int i = 0; i < end; i++) {
            a = layers.get(i).forward(a, training, noise.nextLong());
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
        gradOut = reuse(gradOut, a.shape());
        double mean = loss.lossAndGradient(a, y, gradOut);
        INDArray g = gradOut;
        for (int i = fusedSoftmax ? layers.size() - 2 : layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g, i > 0);
        }
        return mean;
    }

    /** Per-example losses [N] (the training loss's {@link LossFunction#exampleLosses}) and predicted classes [N]
     *  (arg-max of the outputs) from one inference pass. */
    public record Scored(double[] losses, INDArray predicted) { }

    /** Scores a batch: x [N, C, H, W] against targets y [N, K], with a single forward pass. */
    public Scored score(INDArray x, INDArray y) {
        INDArray out = forward(x, false, 0);
        INDArray predicted = Nd4j.argMax(out, 1);           // softmax is monotonic: arg-max of logits = of probabilities
        return new Scored(loss.exampleLosses(out, y), predicted);
    }

    private static INDArray reuse(INDArray current, long[] shape) {
        if (current != null && java.util.Arrays.equals(current.shape(), shape)) {
            return current;
        }
        return Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    }

    /** The runtime layer list (flatten and activation layers included), for tests. */
    List<Layer> runtimeLayers() {
        return layers;
    }
}
