package org.sparkcnn.spark.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a run reports and persists itself, apart from what it trains ({@link TrainingConfig}).
 *
 * @param output          where to write model.scnn, metrics.json, rounds.csv and checkpoints/ (local path or
 *                        Hadoop URI); empty: write nothing, the result is only returned
 * @param checkpointEvery checkpoint every K rounds as well as at epoch ends (needs an output)
 * @param keepCheckpoints keep the newest N checkpoints (0: all)
 * @param resume          continue from the newest checkpoint in the output, if there is one
 * @param evalEveryRounds evaluate on the test set every K rounds (0: never); needs a test set
 * @param evalEveryEpoch  evaluate on the test set after every epoch; needs a test set
 * @param listeners       told of the run's progress, in this order
 * @param failRound       fault injection for tests of Spark's retries: the first attempt of this round's tasks
 *                        fails (-1: none)
 * @param roundTimeout    seconds a round may run before its jobs are cancelled and the run fails with a message
 *                        naming the round (0: no limit)
 * @param allowDifferentHardware resume from a checkpoint made with other task cores or another BLAS kernel (the
 *                        result then differs from the uninterrupted run's); without it such a resume is refused
 */
public record RunOptions(Optional<String> output, int checkpointEvery, int keepCheckpoints, boolean resume,
                         int evalEveryRounds, boolean evalEveryEpoch, List<TrainingListener> listeners,
                         int failRound, int roundTimeout, boolean allowDifferentHardware) {
    public RunOptions {
        if (checkpointEvery < 0 || keepCheckpoints < 0 || evalEveryRounds < 0 || roundTimeout < 0) {
            throw new ConfigException(checkpointEvery < 0 ? "checkpointEvery" : keepCheckpoints < 0
                    ? "keepCheckpoints" : evalEveryRounds < 0 ? "evalEveryRounds" : "roundTimeout",
                    "must be non-negative");
        }
        if (output.isEmpty() && (checkpointEvery > 0 || resume)) {
            throw new ConfigException(resume ? "resume" : "checkpointEvery", "needs an output directory");
        }
        listeners = List.copyOf(listeners);
    }

    /** No output, no evaluation during training, no listeners. */
    public static RunOptions none() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects the options; {@link #build} validates them. */
    public static final class Builder {
        private String output;
        private int checkpointEvery = 0;
        private int keepCheckpoints = 3;
        private boolean resume;
        private int evalEveryRounds = 0;
        private boolean evalEveryEpoch;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private int failRound = -1;
        private int roundTimeout = 0;
        private boolean allowDifferentHardware;

        private Builder() { }

        public Builder output(String dir) {
            output = dir;
            return this;
        }

        public Builder checkpointEvery(int rounds) {
            checkpointEvery = rounds;
            return this;
        }

        public Builder keepCheckpoints(int n) {
            keepCheckpoints = n;
            return this;
        }

        public Builder resume(boolean v) {
            resume = v;
            return this;
        }

        public Builder evalEveryRounds(int rounds) {
            evalEveryRounds = rounds;
            return this;
        }

        public Builder evalEveryEpoch(boolean v) {
            evalEveryEpoch = v;
            return this;
        }

        public Builder listener(TrainingListener l) {
            listeners.add(l);
            return this;
        }

        public Builder failRound(int round) {
            failRound = round;
            return this;
        }

        public Builder roundTimeout(int seconds) {
            roundTimeout = seconds;
            return this;
        }

        public Builder allowDifferentHardware(boolean v) {
            allowDifferentHardware = v;
            return this;
        }

        public RunOptions build() {
            return new RunOptions(Optional.ofNullable(output), checkpointEvery, keepCheckpoints, resume,
                    evalEveryRounds, evalEveryEpoch, listeners, failRound, roundTimeout, allowDifferentHardware);
        }
    }
}
