package org.sparkcnn.core;

import org.sparkcnn.core.layers.BatchNormSpec;
import org.sparkcnn.core.layers.Conv2dSpec;
import org.sparkcnn.core.layers.DenseSpec;
import org.sparkcnn.core.layers.DropoutSpec;
import org.sparkcnn.core.layers.FlattenSpec;
import org.sparkcnn.core.layers.LayerSpec;
import org.sparkcnn.core.layers.Pool2dSpec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network's architecture: input shape, layer specs and cost. Together with one flat parameter vector it is a
 * model. Validated on construction: every layer must fit its input, and cross-entropy needs a softmax output.
 *
 * <p>Compact text form (command line, config files): comma- or space-separated tokens, each a layer with
 * colon-separated options.
 * <pre>
 *   input1x28x28                      input shape C×H×W (default 1x28x28)
 *   conv5x5x20[:s2][:same][:relu]     convolution, kernel 5×5, 20 filters, stride, padding, activation
 *   maxpool2[:s2]  avgpool2           pooling window (stride defaults to the window)
 *   dense500[:relu]                   fully connected (flattens its input)
 *   softmax10                         dense 10 + softmax output
 *   dropout0.5                        inverted dropout, rate 0.5
 *   batchnorm[0.1][:relu]             batch normalization (running-statistics momentum 0.1), activation
 *   flatten
 *   loss=quadratic | loss=cross-entropy
 * </pre>
 * Layer options: an activation (identity, step, sigmoid, tanh, relu, softmax), a weight init ({@link WeightInit}:
 * he, xavier-uniform, normal0.01, …) and {@code biasV}. Example, LeNet:
 * {@code conv5x5x20,maxpool2,conv5x5x50,maxpool2,dense500:relu,softmax10}.
 */
public record ModelSpec(Shape input, List<LayerSpec> layers, Loss loss) implements Serializable {

    public static final Shape MNIST_INPUT = new Shape(1, 28, 28);

    public ModelSpec {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one layer");
        }
        Shape s = input;
        boolean flat = false;
        for (LayerSpec l : layers) {
            if (flat && (l instanceof Conv2dSpec || l instanceof Pool2dSpec)) {
                throw new IllegalArgumentException(l.token() + " cannot follow a dense or flatten layer");
            }
            flat = flat || l instanceof DenseSpec || l instanceof FlattenSpec;
            s = l.outputShape(s);
        }
        if (!(layers.get(layers.size() - 1) instanceof DenseSpec last)) {
            throw new IllegalArgumentException("the last layer must be dense (e.g. softmax10)");
        } else if (loss == Loss.CROSS_ENTROPY && last.activation() != Activation.SOFTMAX) {
            throw new IllegalArgumentException("cross-entropy needs a softmax output layer (e.g. softmax10)");
        }
    }

    /** Number of outputs (classes). */
    public int outputs() {
        return ((DenseSpec) layers.get(layers.size() - 1)).units();
    }

    /** Input shape of layer {@code i}. */
    public Shape inputOf(int i) {
        Shape s = input;
        for (int j = 0; j < i; j++) {
            s = layers.get(j).outputShape(s);
        }
        return s;
    }

    /** Total number of parameters: the length of the flat parameter vector. */
    public long paramCount() {
        long n = 0;
        for (int i = 0; i < layers.size(); i++) {
            n += layers.get(i).paramCount(inputOf(i));
        }
        return n;
    }

    /**
     * The ranges [from, to) of the flat vector that hold running statistics (batch normalization's mean and
     * variance): written by training passes, averaged and saved with the weights, but never trained or decayed.
     */
    public List<long[]> statisticsRanges() {
        List<long[]> ranges = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < layers.size(); i++) {
            Shape in = inputOf(i);
            if (layers.get(i) instanceof BatchNormSpec b) {
                long from = offset + b.statisticsOffset(in);
                ranges.add(new long[] {from, offset + b.paramCount(in)});
            }
            offset += layers.get(i).paramCount(in);
        }
        return ranges;
    }

    /** True if some layer uses the step activation (inference only). */
    public boolean usesStep() {
        for (LayerSpec l : layers) {
            if ((l instanceof Conv2dSpec c && c.activation() == Activation.STEP)
                    || (l instanceof DenseSpec d && d.activation() == Activation.STEP)) {
                return true;
            }
        }
        return false;
    }

    /** The compact text form; {@code parse(toText())} gives back an equal spec. */
    public String toText() {
        StringBuilder b = new StringBuilder("input").append(input);
        for (LayerSpec l : layers) {
            b.append(',').append(l.token());
        }
        return b.append(",loss=").append(loss.token()).toString();
    }

    /** Parses the text form with {@code glorot-uniform} as the default weight init. */
    public static ModelSpec parse(String text) {
        return parse(text, WeightInit.of(WeightInit.Kind.GLOROT_UNIFORM));
    }

    private static final Pattern CONV = Pattern.compile("conv(\\d+)x(\\d+)x(\\d+)");
    private static final Pattern POOL = Pattern.compile("(max|avg)pool(\\d+)");
    private static final Pattern DENSE = Pattern.compile("(dense|softmax)(\\d+)");
    private static final Pattern BATCHNORM = Pattern.compile("batchnorm(0?\\.\\d+|1)?");
    private static final Pattern DROPOUT = Pattern.compile("dropout(0?\\.\\d+|0)");
    private static final Pattern INPUT = Pattern.compile("input(\\d+)x(\\d+)x(\\d+)");

    /**
     * Parses the text form; layers without an explicit init use {@code defaultInit}. A bad token is named in the
     * IllegalArgumentException's message.
     */
    public static ModelSpec parse(String text, WeightInit defaultInit) {
        Shape input = MNIST_INPUT;
        Loss loss = null;
        List<LayerSpec> layers = new ArrayList<>();
        String trimmed = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty model spec");
        }
        for (String token : trimmed.split("[,\\s]+")) {
            try {
                String[] parts = token.split(":");
                String head = parts[0];
                Options o = new Options(parts, defaultInit);
                Matcher m;
                if ((m = INPUT.matcher(head)).matches()) {
                    o.none();
                    input = new Shape(num(m, 1), num(m, 2), num(m, 3));
                } else if (head.startsWith("loss=")) {
                    o.none();
                    loss = Loss.parseOrNull(head.substring(5));
                    if (loss == null) {
                        throw new IllegalArgumentException("unknown loss (quadratic or cross-entropy)");
                    }
                } else if ((m = CONV.matcher(head)).matches()) {
                    layers.add(new Conv2dSpec(num(m, 1), num(m, 2), num(m, 3), o.stride(1), o.same,
                            o.activation(Activation.IDENTITY), o.init, o.bias));
                } else if ((m = POOL.matcher(head)).matches()) {
                    int k = num(m, 2);
                    layers.add(new Pool2dSpec(m.group(1).equals("max"), k, o.stride(k)));
                    o.onlyStride();
                } else if ((m = DENSE.matcher(head)).matches()) {
                    boolean softmax = m.group(1).equals("softmax");
                    layers.add(new DenseSpec(num(m, 2), softmax ? Activation.SOFTMAX : o.activation(Activation.IDENTITY),
                            o.init, o.bias));
                } else if ((m = DROPOUT.matcher(head)).matches()) {
                    o.none();
                    layers.add(new DropoutSpec(Double.parseDouble(m.group(1))));
                } else if ((m = BATCHNORM.matcher(head)).matches()) {
                    o.onlyActivation();
                    layers.add(new BatchNormSpec(m.group(1) == null ? BatchNormSpec.DEFAULT_MOMENTUM
                            : Double.parseDouble(m.group(1)), o.activation(Activation.IDENTITY)));
                } else if (head.equals("flatten")) {
                    o.none();
                    layers.add(new FlattenSpec());
                } else {
                    throw new IllegalArgumentException("unknown layer");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad model spec token '" + token + "': " + e.getMessage());
            }
        }
        if (loss == null) {
            boolean softmax = !layers.isEmpty() && layers.get(layers.size() - 1) instanceof DenseSpec d
                    && d.activation() == Activation.SOFTMAX;
            loss = softmax ? Loss.CROSS_ENTROPY : Loss.QUADRATIC;
        }
        return new ModelSpec(input, layers, loss);
    }

    private static int num(Matcher m, int group) {
        try {
            return Integer.parseInt(m.group(group));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("number out of range");
        }
    }

    /** The colon-separated options of one token. */
    private static final class Options {
        Activation activation;
        WeightInit init;
        double bias;
        Integer stride;
        boolean same;
        boolean any;
        private final WeightInit defaultInit;

        Options(String[] parts, WeightInit defaultInit) {
            this.defaultInit = defaultInit;
            init = defaultInit;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i];
                any = true;
                Activation a = Activation.parseOrNull(p);
                WeightInit w = WeightInit.parseOrNull(p);
                if (a != null) {
                    activation = a;
                } else if (w != null) {
                    init = w;
                } else if (p.equals("same") || p.equals("valid")) {
                    same = p.equals("same");
                } else if (p.matches("s\\d+")) {
                    stride = Integer.parseInt(p.substring(1));
                } else if (p.matches("bias-?[0-9.eE+-]+")) {
                    bias = Double.parseDouble(p.substring(4));
                } else {
                    throw new IllegalArgumentException("unknown option '" + p + "'");
                }
            }
        }

        Activation activation(Activation dflt) {
            return activation == null ? dflt : activation;
        }

        int stride(int dflt) {
            return stride == null ? dflt : stride;
        }

        void none() {
            if (any) {
                throw new IllegalArgumentException("this layer takes no options");
            }
        }

        void onlyActivation() {
            if (stride != null || same || bias != 0 || init != defaultInit) {
                throw new IllegalArgumentException("batchnorm takes only an activation option");
            }
        }

        void onlyStride() {
            if (activation != null || same || bias != 0) {
                throw new IllegalArgumentException("pooling takes only a stride option (sN)");
            }
        }
    }
}
