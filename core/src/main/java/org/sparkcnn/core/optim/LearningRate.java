package org.sparkcnn.core.optim;

import java.io.Serializable;

/**
 * A learning-rate schedule over the global iteration t (0-based): constant, or step decay
 * lr(t) = base · gamma^floor(t / every).
 */
public record LearningRate(double base, double gamma, long every) implements Serializable {

    public LearningRate {
        if (!(base > 0) || !Double.isFinite(base)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + base);
        }
        if (!(gamma > 0 && gamma <= 1) || every < 0) {
            throw new IllegalArgumentException("step decay needs 0 < gamma <= 1 and every >= 0");
        }
    }

    public static LearningRate constant(double base) {
        return new LearningRate(base, 1.0, 0);
    }

    public static LearningRate stepDecay(double base, double gamma, long every) {
        return new LearningRate(base, gamma, every);
    }

    public double at(long iteration) {
        return every == 0 || gamma == 1.0 ? base : base * Math.pow(gamma, iteration / every);
    }
}
