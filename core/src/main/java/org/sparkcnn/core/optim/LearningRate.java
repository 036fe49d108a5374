package org.sparkcnn.core.optim;

import java.io.Serializable;
import java.util.Locale;

/**
 * A learning-rate schedule: lr = base · warm-up · decay.
 * <ul>
 * <li>warm-up (Goyal et al. 2017): e / W while the epoch position e is below W epochs, then 1 (the first step of a
 *     warmed-up run has lr 0);</li>
 * <li>decay, one of: {@link Decay#ITERATION_STEPS} γ^⌊t / every⌋ over the worker's iteration t (1 when every = 0);
 *     {@link Decay#EPOCH_STEPS} γ^⌊e / everyEpochs⌋; {@link Decay#COSINE} ½(1 + cos(π·p)) with p the fraction of
 *     the epochs after the warm-up done (Loshchilov &amp; Hutter 2017, without restarts), reaching 0 at the end.</li>
 * </ul>
 * Epoch-based schedules read the epoch position, so they mean the same for any number of workers; the
 * iteration-based one counts each worker's own steps.
 *
 * @param base         the peak learning rate
 * @param decay        which decay
 * @param gamma        the step-decay factor (0, 1]
 * @param every        iterations between decays ({@link Decay#ITERATION_STEPS}; 0: none)
 * @param everyEpochs  epochs between decays ({@link Decay#EPOCH_STEPS})
 * @param warmupEpochs W, epochs of linear warm-up (0: none)
 * @param totalEpochs  the run's epochs ({@link Decay#COSINE})
 */
public record LearningRate(double base, Decay decay, double gamma, long every, double everyEpochs,
                           double warmupEpochs, double totalEpochs) implements Serializable {

    /** How the rate falls after the warm-up. */
    public enum Decay {
        ITERATION_STEPS, EPOCH_STEPS, COSINE;

        /** {@code step} (epoch steps), {@code cosine}, or {@code iterations} (iteration steps). */
        public static Decay parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "iterations", "step-iterations" -> ITERATION_STEPS;
                case "step", "epochs", "step-epochs" -> EPOCH_STEPS;
                case "cosine" -> COSINE;
                default -> throw new IllegalArgumentException("unknown schedule '" + s
                        + "' (step, cosine or iterations)");
            };
        }
    }

    public LearningRate {
        if (!(base > 0) || !Double.isFinite(base)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + base);
        }
        if (!(gamma > 0 && gamma <= 1) || every < 0) {
            throw new IllegalArgumentException("step decay needs 0 < gamma <= 1 and every >= 0");
        }
        if (!(everyEpochs >= 0) || !(warmupEpochs >= 0) || !(totalEpochs >= 0) || Double.isInfinite(everyEpochs)
                || Double.isInfinite(warmupEpochs) || Double.isInfinite(totalEpochs)) {
            throw new IllegalArgumentException("epoch counts of a schedule must be finite and non-negative");
        }
        if (decay == Decay.COSINE && !(totalEpochs > warmupEpochs)) {
            throw new IllegalArgumentException("a cosine schedule needs more epochs (" + totalEpochs
                    + ") than warm-up epochs (" + warmupEpochs + ")");
        }
        if (decay == Decay.EPOCH_STEPS && !(everyEpochs > 0)) {
            throw new IllegalArgumentException("an epoch step schedule needs the epochs between decays, got "
                    + everyEpochs);
        }
    }

    public static LearningRate constant(double base) {
        return stepDecay(base, 1.0, 0);
    }

    /** base · γ^⌊t / every⌋ over the worker's iterations. */
    public static LearningRate stepDecay(double base, double gamma, long every) {
        return new LearningRate(base, Decay.ITERATION_STEPS, gamma, every, 0, 0, 0);
    }

    /** base · γ^⌊e / everyEpochs⌋ after a warm-up of W epochs. */
    public static LearningRate epochSteps(double base, double gamma, double everyEpochs, double warmupEpochs) {
        return new LearningRate(base, Decay.EPOCH_STEPS, gamma, 0, everyEpochs, warmupEpochs, 0);
    }

    /** Cosine from base to 0 over {@code totalEpochs}, after a warm-up of W epochs. */
    public static LearningRate cosine(double base, double totalEpochs, double warmupEpochs) {
        return new LearningRate(base, Decay.COSINE, 1.0, 0, 0, warmupEpochs, totalEpochs);
    }

    /** The same schedule with its peak multiplied by {@code factor} (a scaling rule for N workers). */
    public LearningRate scaled(double factor) {
        return new LearningRate(base * factor, decay, gamma, every, everyEpochs, warmupEpochs, totalEpochs);
    }

    public double at(StepTime time) {
        double e = time.epoch();
        double warm = warmupEpochs > 0 && e < warmupEpochs ? e / warmupEpochs : 1;
        double f = switch (decay) {
            case ITERATION_STEPS -> every == 0 || gamma == 1.0 ? 1 : Math.pow(gamma, time.iteration() / every);
            case EPOCH_STEPS -> Math.pow(gamma, Math.floor(e / everyEpochs));
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, e - warmupEpochs)
                    / (totalEpochs - warmupEpochs))));
        };
        return base * warm * f;
    }
}
