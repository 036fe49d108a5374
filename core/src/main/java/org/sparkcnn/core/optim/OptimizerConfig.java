package org.sparkcnn.core.optim;

import java.io.Serializable;
import java.util.Locale;

/**
 * An optimizer and its hyper-parameters.
 *
 * @param kind         sgd, momentum, nesterov or adam
 * @param learningRate the schedule of the step size
 * @param momentum     μ for momentum and Nesterov
 * @param beta1        Adam's first-moment decay (Kingma &amp; Ba 2015 default 0.9)
 * @param beta2        Adam's second-moment decay (default 0.999)
 * @param epsilon      Adam's ε (default 1e-8)
 * @param l2           L2 weight decay λ: the gradient becomes g + λθ (applied to every parameter, biases included)
 * @param weightDecay  decoupled weight decay λ (Loshchilov &amp; Hutter 2019, AdamW / SGDW): before each update
 *                     θ ← θ − lr·λ·θ, apart from the gradient and so from Adam's moments
 */
public record OptimizerConfig(Kind kind, LearningRate learningRate, double momentum, double beta1, double beta2,
                              double epsilon, double l2, double weightDecay) implements Serializable {

    public enum Kind { SGD, MOMENTUM, NESTEROV, ADAM }

    public OptimizerConfig {
        if (momentum < 0 || momentum >= 1 || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || epsilon <= 0
                || l2 < 0 || !(weightDecay >= 0 && weightDecay < 1)) {
            throw new IllegalArgumentException("bad optimizer hyper-parameters: momentum and betas in [0, 1), "
                    + "epsilon > 0, l2 >= 0, weight decay in [0, 1)");
        }
    }

    /** Without decoupled weight decay. */
    public OptimizerConfig(Kind kind, LearningRate learningRate, double momentum, double beta1, double beta2,
                           double epsilon, double l2) {
        this(kind, learningRate, momentum, beta1, beta2, epsilon, l2, 0);
    }

    /** Defaults for {@code kind}: momentum 0.9, Adam β1 0.9, β2 0.999, ε 1e-8, no weight decay. */
    public static OptimizerConfig of(Kind kind, double lr) {
        return new OptimizerConfig(kind, LearningRate.constant(lr), 0.9, 0.9, 0.999, 1e-8, 0);
    }

    public static Kind parseKind(String s) {
        try {
            return Kind.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown updater '" + s + "' (sgd, momentum, nesterov or adam)");
        }
    }

    /** Length of the optimizer state for n parameters. */
    public long stateSize(long n) {
        return switch (kind) {
            case SGD -> 0;
            case MOMENTUM, NESTEROV -> n;
            case ADAM -> 2 * n;
        };
    }

    public Optimizer create(long n, org.nd4j.linalg.api.buffer.DataType dtype) {
        return new Optimizer(this, n, dtype, java.util.List.of());
    }

    /**
     * An optimizer for {@code n} parameters of which the ranges {@code frozen} ([from, to) pairs: running statistics)
     * are never trained: their gradient must be zero, and neither L2 nor weight decay touches them, so every update
     * leaves them exactly as they are.
     */
    public Optimizer create(long n, org.nd4j.linalg.api.buffer.DataType dtype, java.util.List<long[]> frozen) {
        return new Optimizer(this, n, dtype, frozen);
    }
}
