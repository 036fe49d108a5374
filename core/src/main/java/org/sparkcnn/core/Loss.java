package org.sparkcnn.core;

import java.util.Locale;

/**
 * The training cost a model spec names, both averaged over the minibatch: {@link #QUADRATIC} ({@link Quadratic},
 * mean squared error) or {@link #CROSS_ENTROPY} ({@link SoftmaxCrossEntropy}, fused with the softmax output).
 */
public enum Loss {
    QUADRATIC, CROSS_ENTROPY;

    /** The loss itself: per-example values, mean and gradient. */
    public LossFunction function() {
        return this == QUADRATIC ? Quadratic.INSTANCE : SoftmaxCrossEntropy.INSTANCE;
    }

    public String token() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code quadratic}/{@code mse} or {@code cross-entropy}/{@code xent}; null if neither. */
    public static Loss parseOrNull(String word) {
        return switch (word) {
            case "quadratic", "mse" -> QUADRATIC;
            case "cross-entropy", "crossentropy", "xent" -> CROSS_ENTROPY;
            default -> null;
        };
    }
}
