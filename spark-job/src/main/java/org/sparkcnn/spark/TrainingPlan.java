package org.sparkcnn.spark;

import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.optim.OptimizerConfig;

import java.io.Serializable;

/**
 * Everything a distributed training run needs besides the data: immutable, validated, shipped to executors.
 *
 * @param spec            the architecture
 * @param optimizer       the optimizer each worker runs locally
 * @param workers         N, the number of shards and of tasks per round
 * @param localSteps      τ, local SGD steps between two averagings
 * @param warmupEpochs    post-local SGD (Lin et al. 2020): τ = 1 for the first E epochs, then {@code localSteps}
 * @param batchSize       B, examples per local step
 * @param epochs          passes over the training set
 * @param seed            the run seed; every random stream (init, data order, dropout) derives from it
 * @param averageUpdater  average the workers' optimizer state with the parameters (true, DL4J's default too) or
 *                        keep one state per worker
 */
public record TrainingPlan(ModelSpec spec, OptimizerConfig optimizer, int workers, int localSteps, int warmupEpochs,
                           int batchSize, int epochs, long seed, boolean averageUpdater) implements Serializable {

    public TrainingPlan {
        if (workers < 1 || localSteps < 1 || batchSize < 1 || epochs < 1 || warmupEpochs < 0) {
            throw new IllegalArgumentException("workers, local steps, batch size and epochs must be positive "
                    + "and warm-up epochs non-negative");
        }
    }

    /** τ in force during {@code epoch}. */
    public int localStepsAt(int epoch) {
        return epoch < warmupEpochs ? 1 : localSteps;
    }
}
