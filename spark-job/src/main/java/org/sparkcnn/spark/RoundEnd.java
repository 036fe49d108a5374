package org.sparkcnn.spark;

import java.util.function.Supplier;

/**
 * Where a run stands after a round or an epoch. The model is brought to the driver only when a listener asks for
 * it ({@link #state()}, once), so a round that nobody checkpoints or evaluates moves no model through the driver.
 */
public final class RoundEnd {
    private final int epoch;
    private final int round;
    private final int globalRound;
    private final long iteration;
    private final Supplier<ModelVectors> model;
    private TrainingState state;

    RoundEnd(int epoch, int round, int globalRound, long iteration, Supplier<ModelVectors> model) {
        this.epoch = epoch;
        this.round = round;
        this.globalRound = globalRound;
        this.iteration = iteration;
        this.model = model;
    }

    /** Epoch of the next round. */
    public int epoch() {
        return epoch;
    }

    /** Rounds completed so far. */
    public int globalRound() {
        return globalRound;
    }

    /** The position and the model, fetched on the first call. */
    public TrainingState state() {
        if (state == null) {
            ModelVectors v = model.get();
            state = new TrainingState(epoch, round, globalRound, iteration, v.params(), v.states());
        }
        return state;
    }

    /** Whether the model has been fetched. */
    boolean fetched() {
        return state != null;
    }
}
