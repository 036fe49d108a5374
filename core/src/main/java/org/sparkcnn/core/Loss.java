package org.sparkcnn.core;

import java.util.Locale;

/**
 * Training costs, both averaged over the minibatch of N examples with K outputs:
 * <ul>
 *   <li>{@link #QUADRATIC}: mean squared error, L = (1/N) Σ_n (1/K) Σ_k (a_nk − y_nk)² (DL4J's MSE);</li>
 *   <li>{@link #CROSS_ENTROPY}: L = −(1/N) Σ_n log softmax(z_n)_{y_n}, fused with the softmax output so it is
 *       computed from the logits z as logsumexp(z) − z_y (never log 0), with dL/dz = (softmax(z) − y)/N.</li>
 * </ul>
 */
public enum Loss {
    QUADRATIC, CROSS_ENTROPY;

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
