package org.sparkcnn.core;

import java.util.Map;

/** Named architectures; {@link #resolve} also accepts any text spec (see {@link ModelSpec}). */
public final class Presets {
    private Presets() { }

    /** LeNet-5 as in Caffe's and DL4J's MNIST examples: 431,080 parameters. */
    public static final String LENET = "conv5x5x20,maxpool2,conv5x5x50,maxpool2,dense500:relu,softmax10";

    /**
     * The TensorFlow "Deep MNIST for experts" CNN: 3,274,634 parameters. Weights N(0, 0.1²) and biases 0.1 as in
     * the tutorial (which truncates its normal at 2σ; we do not).
     */
    public static final String TF_MNIST = "conv5x5x32:same:relu:normal0.1:bias0.1,maxpool2,"
            + "conv5x5x64:same:relu:normal0.1:bias0.1,maxpool2,dense1024:relu:normal0.1:bias0.1,dropout0.5,"
            + "softmax10:normal0.1:bias0.1";

    public static final Map<String, String> ALL = Map.of("lenet", LENET, "tf-mnist", TF_MNIST);

    /** A preset name or a text spec, with the given default weight init for layers that name none. */
    public static ModelSpec resolve(String nameOrSpec, WeightInit defaultInit) {
        String text = ALL.getOrDefault(nameOrSpec.trim().toLowerCase(java.util.Locale.ROOT), nameOrSpec);
        return ModelSpec.parse(text, defaultInit);
    }

    public static ModelSpec resolve(String nameOrSpec) {
        return resolve(nameOrSpec, WeightInit.of(WeightInit.Kind.GLOROT_UNIFORM));
    }
}
