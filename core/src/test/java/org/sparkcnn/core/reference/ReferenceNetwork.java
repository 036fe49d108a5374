package org.sparkcnn.core.reference;

import org.sparkcnn.core.Activation;
import org.sparkcnn.core.Loss;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.layers.BatchNormSpec;
import org.sparkcnn.core.layers.Conv2dSpec;
import org.sparkcnn.core.layers.DenseSpec;
import org.sparkcnn.core.layers.DropoutSpec;
import org.sparkcnn.core.layers.FlattenSpec;
import org.sparkcnn.core.layers.LayerSpec;
import org.sparkcnn.core.layers.Pool2dSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A model in double precision with naive loops, for tests: the same spec, the same flat parameter layout (layer by
 * layer, weights then biases) and the same dropout masks as {@link org.sparkcnn.core.Network}, so the two can be
 * compared on the same weights and inputs. Its layers run in the production network's order (a flatten before a
 * dense layer on images, an activation after each conv and dense layer); each draws one noise seed from
 * {@code new SplittableRandom(noiseSeed)} in that order, as the production layers do. With cross-entropy the
 * final softmax is part of the loss.
 */
public final class ReferenceNetwork {
    private final List<ReferenceLayer> layers = new ArrayList<>();
    private final List<Block> blocks = new ArrayList<>();
    private final ReferenceLoss loss;
    private final double[] params;
    private final double[] grads;

    /** A named range of the flat parameter vector: one layer's weights or its biases (batch norm: γ or β). */
    public record Block(String name, int offset, int length) { }

    /** A reference for {@code spec} with the given parameters (copied). */
    public ReferenceNetwork(ModelSpec spec, double[] params) {
        Shape shape = spec.input();
        int offset = 0;
        boolean flat = false;
        for (int l = 0; l < spec.layers().size(); l++) {
            LayerSpec ls = spec.layers().get(l);
            String name = "layer " + l + " (" + ls.token() + ")";
            if (ls instanceof DenseSpec && !flat) {
                layers.add(new Flatten());
            }
            flat = flat || ls instanceof DenseSpec || ls instanceof FlattenSpec;
            ReferenceLayer layer = create(ls, shape, offset);
            layers.add(layer);
            if (ls instanceof BatchNormSpec) {
                int c = shape.channels();       // γ and β; the running statistics are not trained
                blocks.add(new Block(name + " gamma", offset, c));
                blocks.add(new Block(name + " beta", offset + c, c));
            } else if (layer.paramCount() > 0) {
                int biases = ls.outputShape(shape).channels();
                blocks.add(new Block(name + " W", offset, layer.paramCount() - biases));
                blocks.add(new Block(name + " b", offset + layer.paramCount() - biases, biases));
            }
            offset += layer.paramCount();
            Activation act = ls instanceof Conv2dSpec c ? c.activation()
                    : ls instanceof DenseSpec d ? d.activation()
                    : ls instanceof BatchNormSpec b ? b.activation() : Activation.IDENTITY;
            if (act != Activation.IDENTITY) {
                layers.add(new ReferenceActivation(act));
            }
            shape = ls.outputShape(shape);
        }
        if (offset != params.length) {
            throw new IllegalArgumentException("expected " + offset + " parameters, got " + params.length);
        }
        this.loss = spec.loss() == Loss.CROSS_ENTROPY ? ReferenceLoss.SOFTMAX_CROSS_ENTROPY : ReferenceLoss.QUADRATIC;
        this.params = params.clone();
        this.grads = new double[params.length];
    }

    private static ReferenceLayer create(LayerSpec ls, Shape in, int offset) {
        if (ls instanceof Conv2dSpec c) {
            return new ReferenceConv2d(c, in, offset);
        } else if (ls instanceof Pool2dSpec p) {
            return new ReferencePool2d(p, in);
        } else if (ls instanceof DenseSpec d) {
            return new ReferenceDense(d, in.size(), offset);
        } else if (ls instanceof DropoutSpec d) {
            return new ReferenceDropout(d.rate());
        } else if (ls instanceof BatchNormSpec b) {
            return new ReferenceBatchNorm(b, in, offset);
        }
        return new Flatten();
    }

    /** The flat parameter vector (live: writing it changes the model). */
    public double[] params() {
        return params;
    }

    /** dL/dθ of the last {@link #gradient} call. */
    public double[] grads() {
        return grads;
    }

    /** Each layer's weights and biases as ranges of the flat vectors. */
    public List<Block> blocks() {
        return List.copyOf(blocks);
    }

    /** Inference: x [N, C, H, W] to the outputs [N, K] (class probabilities with cross-entropy). */
    public double[] output(double[] x, int n) {
        double[] out = forward(x, n, false, 0);
        if (loss == ReferenceLoss.SOFTMAX_CROSS_ENTROPY) {
            return new ReferenceActivation(Activation.SOFTMAX).forward(out, n, params, false, 0);
        }
        return out;
    }

    /** Per-example losses [N] at inference. */
    public double[] exampleLosses(double[] x, double[] y, int n) {
        return loss.exampleLosses(forward(x, n, false, 0), y, n);
    }

    /** The mean loss of a training pass (dropout masks from {@code noiseSeed}); fills {@link #grads}. */
    public double gradient(double[] x, double[] y, int n, long noiseSeed) {
        Arrays.fill(grads, 0);
        double[] out = forward(x, n, true, noiseSeed);
        double[] g = loss.gradient(out, y, n);
        for (int i = lastRun(); i >= 0; i--) {
            g = layers.get(i).backward(g, n, params, grads);
        }
        return loss.mean(out, y, n);
    }

    /** Index of the last layer run: with cross-entropy the final softmax belongs to the loss. */
    private int lastRun() {
        return loss == ReferenceLoss.SOFTMAX_CROSS_ENTROPY ? layers.size() - 2 : layers.size() - 1;
    }

    private double[] forward(double[] x, int n, boolean training, long noiseSeed) {
        SplittableRandom noise = new SplittableRandom(noiseSeed);
        double[] a = x;
        for (int i = 0; i <= lastRun(); i++) {
            a = layers.get(i).forward(a, n, params, training, noise.nextLong());
        }
        return a;
    }

    /** [N, C, H, W] to [N, C·H·W]: the same c-order memory. */
    private static final class Flatten implements ReferenceLayer {
        @Override
        public double[] forward(double[] x, int n, double[] params, boolean training, long noiseSeed) {
            return x;
        }

        @Override
        public double[] backward(double[] gradOut, int n, double[] params, double[] grads) {
            return gradOut;
        }
    }
}
