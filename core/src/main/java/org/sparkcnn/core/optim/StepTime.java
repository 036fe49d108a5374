package org.sparkcnn.core.optim;

import java.io.Serializable;

/**
 * When an optimizer step happens.
 *
 * @param iteration the worker's step count t (0-based): Adam's bias correction and iteration-based decay read it
 * @param epoch     passes over the training set completed when the step starts (fractional, e.g. 2.25 a quarter
 *                  into the third epoch): epoch-based schedules read it, so they mean the same for any number of
 *                  workers
 */
public record StepTime(long iteration, double epoch) implements Serializable {
    public StepTime {
        if (iteration < 0 || !(epoch >= 0) || Double.isInfinite(epoch)) {
            throw new IllegalArgumentException("a step time needs iteration >= 0 and a finite epoch >= 0, got "
                    + iteration + ", " + epoch);
        }
    }

    /** Step {@code step} of {@code steps} in epoch {@code epoch} (0-based), at worker iteration {@code iteration}. */
    public static StepTime of(long iteration, int epoch, int step, int steps) {
        return new StepTime(iteration, epoch + (double) step / Math.max(1, steps));
    }
}
