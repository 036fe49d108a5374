package org.sparkcnn.tools.dl4j;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
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
import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.OptimizerConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Our models as Deeplearning4j {@link MultiLayerNetwork}s, for comparison with an independent implementation and
 * for export. The mapping, layer by layer:
 * <ul>
 *   <li>{@link Conv2dSpec} → {@link ConvolutionLayer}, {@link ConvolutionMode#Truncate} for "valid" and
 *       {@link ConvolutionMode#Same} for "same" (both pad TensorFlow-style, the odd extra row/column last);</li>
 *   <li>{@link Pool2dSpec} → {@link SubsamplingLayer} MAX or AVG, no padding;</li>
 *   <li>{@link DenseSpec} → {@link DenseLayer}; the last one → {@link OutputLayer} with {@link LossMCXENT} and
 *       softmax for cross-entropy, or {@link LossMSE} (mean over outputs, as ours) for quadratic;</li>
 *   <li>{@link BatchNormSpec} → {@link BatchNormalization} with decay 1 − momentum, the same ε and plain variance
 *       (no log-σ storage), then an {@link ActivationLayer} unless the activation is the identity; γ, β, the
 *       running mean and variance are DL4J's {@code gamma}, {@code beta}, {@code mean}, {@code var};</li>
 *   <li>{@link DropoutSpec} → {@link DropoutLayer} with retain probability 1 − rate (a rate-0 dropout is
 *       dropped); {@link FlattenSpec} → nothing: DL4J inserts a {@code CnnToFeedForwardPreProcessor} before a
 *       dense layer, which flattens [N, C, H, W] in c order, the order of our flatten.</li>
 * </ul>
 * Parameters: DL4J's conv W is [nOut, nIn, kH, kW], exactly our [F, C, kH, kW]; its dense W is [nIn, nOut] like
 * ours (stored in f order internally, so values are copied by index, not by memory); biases are [1, nOut].
 * The step activation has no DL4J counterpart and is refused.
 */
public final class Dl4jModels {
    private Dl4jModels() { }

    /**
     * Where one parameterized layer's values sit: DL4J layer index {@code layer}, and in our flat vector the
     * weights at {@code offset} with DL4J's (and our) shape {@code weightShape}, followed by {@code biases} biases.
     */
    public record ParamBlock(int layer, long offset, long[] weightShape, long biases) {
        public long weightCount() {
            long n = 1;
            for (long d : weightShape) {
                n *= d;
            }
            return n;
        }

        /** The weights as a c-order view of {@code flat} with {@link #weightShape}. */
        public INDArray weights(INDArray flat) {
            return flat.get(NDArrayIndex.interval(offset, offset + weightCount())).reshape('c', weightShape);
        }

        /** The biases as a [1, biases] view of {@code flat}. */
        public INDArray bias(INDArray flat) {
            long from = offset + weightCount();
            return flat.get(NDArrayIndex.interval(from, from + biases)).reshape('c', 1, biases);
        }
    }

    /**
     * The DL4J configuration of {@code spec}: the same layers in float32, input [N, C, H, W]
     * ({@link InputType#convolutional}), no regularization, DL4J's own Xavier init (to be overwritten by
     * {@link #toNetwork}), the given updater and seed.
     */
    public static MultiLayerConfiguration configuration(ModelSpec spec, long seed, IUpdater updater) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .list();
        int last = spec.layers().size() - 1;
        int index = 0;
        for (int i = 0; i <= last; i++) {
            LayerSpec ls = spec.layers().get(i);
            if (ls instanceof Conv2dSpec c) {
                list.layer(index++, new ConvolutionLayer.Builder(c.kernelH(), c.kernelW())
                        .stride(c.stride(), c.stride())
                        .nOut(c.filters())
                        .convolutionMode(c.same() ? ConvolutionMode.Same : ConvolutionMode.Truncate)
                        .activation(activation(c.activation()))
                        .build());
            } else if (ls instanceof Pool2dSpec p) {
                list.layer(index++, new SubsamplingLayer.Builder(
                        p.max() ? SubsamplingLayer.PoolingType.MAX : SubsamplingLayer.PoolingType.AVG)
                        .kernelSize(p.kernel(), p.kernel())
                        .stride(p.stride(), p.stride())
                        .convolutionMode(ConvolutionMode.Truncate)
                        .build());
            } else if (ls instanceof DenseSpec d && i == last) {
                boolean xent = spec.loss() == Loss.CROSS_ENTROPY;
                list.layer(index++, new OutputLayer.Builder(xent ? new LossMCXENT() : new LossMSE())
                        .nOut(d.units())
                        .activation(activation(d.activation()))
                        .build());
            } else if (ls instanceof DenseSpec d) {
                list.layer(index++, new DenseLayer.Builder().nOut(d.units()).activation(activation(d.activation()))
                        .build());
            } else if (ls instanceof DropoutSpec d && d.rate() > 0) {
                list.layer(index++, new DropoutLayer.Builder(1 - d.rate()).build());
            } else if (ls instanceof BatchNormSpec b) {
                list.layer(index++, new BatchNormalization.Builder().decay(1 - b.momentum())
                        .eps(BatchNormSpec.EPSILON).useLogStd(false).build());
                if (b.activation() != org.sparkcnn.core.Activation.IDENTITY) {
                    list.layer(index++, new ActivationLayer.Builder().activation(activation(b.activation())).build());
                }
            }
        }
        Shape in = spec.input();
        return list.setInputType(InputType.convolutional(in.height(), in.width(), in.channels())).build();
    }

    /** DL4J's names of batch normalization's four parameter vectors, in our order. */
    private static final String[] BATCH_NORM_KEYS = {"gamma", "beta", "mean", "var"};

    /** Where a batch normalization layer's values sit: DL4J layer {@code layer}; ours γ, β, mean, variance at
     *  {@code offset}, {@code channels} each. */
    public record BatchNormBlock(int layer, long offset, int channels) {
        /** Parameter {@code k} (0 γ, 1 β, 2 running mean, 3 running variance) as a [1, channels] view of {@code flat}. */
        public INDArray part(INDArray flat, int k) {
            long from = offset + (long) k * channels;
            return flat.get(NDArrayIndex.interval(from, from + channels)).reshape('c', 1, channels);
        }

        /** DL4J's key of parameter {@code k}. */
        public String key(int k) {
            return layer + "_" + BATCH_NORM_KEYS[k];
        }
    }

    /** Where each batch normalization layer of {@code spec} sits in DL4J's layer list and in our flat vector. */
    public static List<BatchNormBlock> batchNormBlocks(ModelSpec spec) {
        List<BatchNormBlock> blocks = new ArrayList<>();
        int index = 0;
        long offset = 0;
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSpec ls = spec.layers().get(i);
            Shape in = spec.inputOf(i);
            if (ls instanceof BatchNormSpec) {
                blocks.add(new BatchNormBlock(index, offset, in.channels()));
            }
            offset += ls.paramCount(in);
            index += dl4jLayers(ls);
        }
        return blocks;
    }

    /** How many DL4J layers stand for {@code ls}. */
    private static int dl4jLayers(LayerSpec ls) {
        if (ls instanceof FlattenSpec || (ls instanceof DropoutSpec d && d.rate() == 0)) {
            return 0;
        }
        return ls instanceof BatchNormSpec b && b.activation() != org.sparkcnn.core.Activation.IDENTITY ? 2 : 1;
    }

    /** Where each parameterized layer of {@code spec} sits in DL4J's layer list and in our flat vector. */
    public static List<ParamBlock> paramBlocks(ModelSpec spec) {
        List<ParamBlock> blocks = new ArrayList<>();
        int index = 0;
        long offset = 0;
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSpec ls = spec.layers().get(i);
            Shape in = spec.inputOf(i);
            if (ls instanceof Conv2dSpec c) {
                blocks.add(new ParamBlock(index, offset,
                        new long[] {c.filters(), in.channels(), c.kernelH(), c.kernelW()}, c.filters()));
            } else if (ls instanceof DenseSpec d) {
                blocks.add(new ParamBlock(index, offset, new long[] {in.size(), d.units()}, d.units()));
            }
            offset += ls.paramCount(in);
            index += dl4jLayers(ls);
        }
        return blocks;
    }

    /** A DL4J network for {@code spec} holding our flat {@code params}, with plain SGD (rate 0.01) as updater. */
    public static MultiLayerNetwork toNetwork(ModelSpec spec, INDArray params) {
        return toNetwork(configuration(spec, 0, new Sgd(0.01)), spec, params);
    }

    /** A network built from {@code conf} (made by {@link #configuration} for {@code spec}) holding {@code params}. */
    public static MultiLayerNetwork toNetwork(MultiLayerConfiguration conf, ModelSpec spec, INDArray params) {
        if (params.length() != spec.paramCount()) {
            throw new IllegalArgumentException("the spec has " + spec.paramCount() + " parameters but the vector has "
                    + params.length());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray flat = params.reshape(params.length()).castTo(DataType.FLOAT);
        for (ParamBlock b : paramBlocks(spec)) {
            net.setParam(b.layer() + "_W", b.weights(flat));
            net.setParam(b.layer() + "_b", b.bias(flat));
        }
        for (BatchNormBlock b : batchNormBlocks(spec)) {
            for (int k = 0; k < BATCH_NORM_KEYS.length; k++) {
                net.setParam(b.key(k), b.part(flat, k).reshape(net.getParam(b.key(k)).shape()));
            }
        }
        if (net.numParams() != spec.paramCount()) {
            throw new IllegalStateException("DL4J counts " + net.numParams() + " parameters, we count "
                    + spec.paramCount());
        }
        return net;
    }

    /**
     * Our flat parameter vector of {@code net} (built by {@link #toNetwork} or from {@link #configuration} for
     * {@code spec}): the inverse of the copy in {@link #toNetwork}, value by value, whatever DL4J's storage order.
     */
    public static float[] fromNetwork(ModelSpec spec, MultiLayerNetwork net) {
        if (net.numParams() != spec.paramCount()) {
            throw new IllegalArgumentException("DL4J counts " + net.numParams() + " parameters, the spec has "
                    + spec.paramCount());
        }
        INDArray flat = Nd4j.zeros(DataType.FLOAT, spec.paramCount());
        for (ParamBlock b : paramBlocks(spec)) {
            b.weights(flat).assign(net.getParam(b.layer() + "_W"));
            b.bias(flat).assign(net.getParam(b.layer() + "_b"));
        }
        for (BatchNormBlock b : batchNormBlocks(spec)) {
            for (int k = 0; k < BATCH_NORM_KEYS.length; k++) {
                b.part(flat, k).assign(net.getParam(b.key(k)).reshape(1, b.channels()));
            }
        }
        return flat.toFloatVector();
    }

    /**
     * DL4J's updater for our optimizer: SGD → {@link Sgd}, Nesterov → {@link Nesterovs} (the same update,
     * v' = μv − ηg; θ += −μv + (1+μ)v'), Adam → {@link Adam} (the same bias-corrected step); a step-decay rate
     * becomes a {@link StepSchedule} over iterations. Refused: plain (heavy-ball) momentum, which DL4J does not
     * have ({@code Nesterovs} is a different update, so mapping it there would silently train another
     * optimizer), and L2 weight decay, which {@link #configuration} does not carry.
     */
    public static IUpdater updater(OptimizerConfig c) {
        if (c.l2() > 0) {
            throw new IllegalArgumentException("L2 weight decay is not mapped to DL4J; use l2 = 0 to compare engines");
        }
        if (c.weightDecay() > 0) {
            throw new IllegalArgumentException("decoupled weight decay is not mapped to DL4J; use weight decay 0 to "
                    + "compare engines");
        }
        LearningRate lr = c.learningRate();
        if (lr.decay() != LearningRate.Decay.ITERATION_STEPS || lr.warmupEpochs() > 0) {
            throw new IllegalArgumentException("epoch-based learning-rate schedules and warm-up are not mapped to "
                    + "DL4J; use the iteration step decay to compare engines");
        }
        boolean constant = lr.every() == 0 || lr.gamma() == 1.0;
        ISchedule schedule = constant ? null : new StepSchedule(ScheduleType.ITERATION, lr.base(), lr.gamma(),
                lr.every());
        return switch (c.kind()) {
            case SGD -> constant ? new Sgd(lr.base()) : new Sgd(schedule);
            case NESTEROV -> constant ? new Nesterovs(lr.base(), c.momentum()) : new Nesterovs(schedule, c.momentum());
            case ADAM -> constant ? new Adam(lr.base(), c.beta1(), c.beta2(), c.epsilon())
                    : Adam.builder().learningRateSchedule(schedule).beta1(c.beta1()).beta2(c.beta2())
                            .epsilon(c.epsilon()).build();
            case MOMENTUM -> throw new IllegalArgumentException("DL4J has no plain momentum updater (its Nesterovs is "
                    + "Nesterov's update, not v = μv − ηg; θ += v); choose nesterov, sgd or adam to compare engines");
        };
    }

    /** Writes {@code spec} with {@code params} as a DL4J model zip (without updater state), readable by
     *  {@link ModelSerializer#restoreMultiLayerNetwork}. */
    public static void exportZip(ModelSpec spec, INDArray params, Path zip) throws IOException {
        ModelSerializer.writeModel(toNetwork(spec, params), zip.toFile(), false);
    }

    private static Activation activation(org.sparkcnn.core.Activation a) {
        return switch (a) {
            case IDENTITY -> Activation.IDENTITY;
            case SIGMOID -> Activation.SIGMOID;
            case TANH -> Activation.TANH;
            case RELU -> Activation.RELU;
            case SOFTMAX -> Activation.SOFTMAX;
            case STEP -> throw new IllegalArgumentException("DL4J has no step activation; "
                    + "a model using it cannot be converted");
        };
    }
}
