package org.sparkcnn.spark.api;

import org.sparkcnn.core.Activation;
import org.sparkcnn.core.ModelMemory;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.WeightInit;
import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.core.train.Augmentation;
import org.sparkcnn.core.train.BatchTransforms;
import org.sparkcnn.spark.Aggregation;
import org.sparkcnn.spark.TrainingPlan;
import org.sparkcnn.spark.exchange.ExchangePrecision;
import org.sparkcnn.spark.io.Redaction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What determines a trained model: architecture, distribution, optimizer, seed and data limits. Immutable and
 * validated on construction; a bad value is a {@link ConfigException} naming the setting. Build one with
 * {@link #builder()}; the defaults are the command line's ({@code spark-cnn train --help}).
 *
 * @param model               a preset ({@code lenet}, {@code tf-mnist}) or a spec such as
 *                            {@code input1x28x28,conv5x5x20,maxpool2,softmax10}
 * @param init                the default weight initialization for layers that name none ({@code glorot-uniform},
 *                            {@code he}, ...; {@link WeightInit#parse})
 * @param workers             N, the number of shards and of tasks per round; 0 means the cluster's task slots
 *                            ({@code defaultParallelism}) when the run starts
 * @param localSteps          τ, local SGD steps between two averagings
 * @param warmupEpochs        post-local SGD (Lin et al. 2020): τ = 1 for the first E epochs
 * @param batch               examples per worker step
 * @param epochs              passes over the training set
 * @param updater             {@code sgd}, {@code momentum}, {@code nesterov} or {@code adam}
 * @param lr                  the learning rate
 * @param momentum            momentum for {@code momentum} and {@code nesterov}
 * @param l2                  L2 weight decay
 * @param lrDecay             step decay factor γ ({@code iterations} and {@code step} schedules)
 * @param lrDecayEvery        iterations between decays of the {@code iterations} schedule (0: none)
 * @param lrSchedule          {@code iterations} (lr·γ^⌊t / lrDecayEvery⌋ over each worker's iterations),
 *                            {@code step} (lr·γ^⌊e / lrStepEpochs⌋ over the epoch position e) or {@code cosine}
 *                            (from lr to 0 over the epochs after the warm-up); epoch-based ones mean the same for
 *                            every N
 * @param lrStepEpochs        epochs between decays of the {@code step} schedule
 * @param lrWarmupEpochs      linear learning-rate warm-up from 0 over the first W epochs (Goyal et al. 2017)
 * @param lrScaling           the scaling rule for N workers: {@code none}, {@code linear} (lr·N) or {@code sqrt}
 *                            (lr·√N), lr being the rate for one worker
 * @param weightDecay         decoupled weight decay λ (AdamW / SGDW): θ ← θ − lr·λ·θ every step
 * @param labelSmoothing      ε: training targets (1 − ε)·onehot + ε/K
 * @param augment             training-image augmentation, e.g. {@code shift2,rotate10,scale0.1,flip}, or
 *                            {@code none}; seeded, computed on the executors
 * @param seed                the run seed: initialization, data order and dropout derive from it
 * @param reshuffleEvery      reshuffle the training set across the shards every K epochs (0: never)
 * @param maxRounds           stop after this many rounds in all (0: no limit)
 * @param averageUpdaterState average the optimizer state with the parameters, or keep one per worker
 * @param aggregation         where the workers' vectors are averaged: {@code driver}, {@code executors} or
 *                            {@code auto} (the same bits either way)
 * @param exchangePrecision   how the executors exchange vectors: {@code fp32} (bit-identical to the driver path)
 *                            or {@code bf16} (the round's changes rounded to bfloat16: half the bytes; executor
 *                            path only)
 * @param trainLimit          use only the first N training examples (0: all)
 * @param testLimit           use only the first N test examples (0: all)
 */
public record TrainingConfig(String model, String init, int workers, int localSteps, int warmupEpochs, int batch,
                             int epochs, String updater, double lr, double momentum, double l2, double lrDecay,
                             long lrDecayEvery, String lrSchedule, double lrStepEpochs, double lrWarmupEpochs,
                             String lrScaling, double weightDecay, double labelSmoothing, String augment, long seed, int reshuffleEvery, int maxRounds,
                             boolean averageUpdaterState, String aggregation, String exchangePrecision,
                             int trainLimit, int testLimit) {

    public TrainingConfig {
        positive("localSteps", localSteps);
        positive("batch", batch);
        positive("epochs", epochs);
        nonNegative("workers", workers);
        nonNegative("warmupEpochs", warmupEpochs);
        nonNegative("reshuffleEvery", reshuffleEvery);
        nonNegative("maxRounds", maxRounds);
        nonNegative("trainLimit", trainLimit);
        nonNegative("testLimit", testLimit);
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new ConfigException("lr", "must be a positive number, got " + lr);
        }
        try {
            Aggregation.parse(aggregation);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("aggregation", e.getMessage());
        }
        try {
            if (ExchangePrecision.parse(exchangePrecision) == ExchangePrecision.BF16
                    && Aggregation.parse(aggregation) == Aggregation.DRIVER) {
                throw new ConfigException("exchangePrecision", "bf16 rounds what executors exchange, and the driver "
                        + "aggregation exchanges nothing between executors: use aggregation executors (or auto)");
            }
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("exchangePrecision", e.getMessage());
        }
        ModelSpec spec = resolveSpec(model, init);
        if (spec.usesStep()) {
            throw new ConfigException("model", Activation.STEP_MESSAGE);
        }
        schedule(lr, lrDecay, lrDecayEvery, lrSchedule, lrStepEpochs, lrWarmupEpochs, epochs, lrScaling, 1);
        optimizer(updater, LearningRate.constant(lr), momentum, l2, weightDecay);
        transforms(augment, labelSmoothing);
    }

    private static void positive(String setting, long value) {
        if (value < 1) {
            throw new ConfigException(setting, "must be positive, got " + value);
        }
    }

    private static void nonNegative(String setting, long value) {
        if (value < 0) {
            throw new ConfigException(setting, "must be non-negative, got " + value);
        }
    }

    private static ModelSpec resolveSpec(String model, String init) {
        WeightInit defaultInit;
        try {
            defaultInit = WeightInit.parse(init);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("init", e.getMessage());
        }
        try {
            ModelSpec spec = Presets.resolve(model, defaultInit);
            ModelMemory.check(spec);
            return spec;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("model", e.getMessage());
        }
    }

    /** The learning-rate schedule for {@code workers} workers (the scaling rule applied). */
    private static LearningRate schedule(double lr, double lrDecay, long lrDecayEvery, String lrSchedule,
                                         double lrStepEpochs, double lrWarmupEpochs, int epochs, String lrScaling,
                                         int workers) {
        LearningRate.Decay decay;
        try {
            decay = LearningRate.Decay.parse(lrSchedule);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("lrSchedule", e.getMessage());
        }
        double factor = switch (lrScaling.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> 1;
            case "linear" -> workers;
            case "sqrt" -> Math.sqrt(workers);
            default -> throw new ConfigException("lrScaling", "must be none, linear or sqrt, got '" + lrScaling + "'");
        };
        try {
            LearningRate schedule = switch (decay) {
                case ITERATION_STEPS -> new LearningRate(lr, decay, lrDecay, lrDecayEvery, 0, lrWarmupEpochs, 0);
                case EPOCH_STEPS -> LearningRate.epochSteps(lr, lrDecay, lrStepEpochs, lrWarmupEpochs);
                case COSINE -> LearningRate.cosine(lr, epochs, lrWarmupEpochs);
            };
            return schedule.scaled(factor);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("lrSchedule", e.getMessage());
        }
    }

    private static BatchTransforms transforms(String augment, double labelSmoothing) {
        Augmentation a;
        try {
            a = Augmentation.parse(augment);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("augment", e.getMessage());
        }
        try {
            return new BatchTransforms(a, labelSmoothing);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("labelSmoothing", e.getMessage());
        }
    }

    private static OptimizerConfig optimizer(String updater, LearningRate schedule, double momentum, double l2,
                                             double weightDecay) {
        OptimizerConfig.Kind kind;
        try {
            kind = OptimizerConfig.parseKind(updater);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("updater", e.getMessage());
        }
        try {
            return new OptimizerConfig(kind, schedule, momentum, 0.9, 0.999, 1e-8, l2, weightDecay);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("optimizer", e.getMessage());
        }
    }

    /** The architecture, with its weight initialization. */
    public ModelSpec spec() {
        return resolveSpec(model, init);
    }

    /** Where the vectors are averaged. */
    public Aggregation aggregationMode() {
        return Aggregation.parse(aggregation);
    }

    /** How the executors exchange vectors. */
    public ExchangePrecision exchangePrecisionMode() {
        return ExchangePrecision.parse(exchangePrecision);
    }

    /** The executors' plan for {@code workers} workers (this config's, or the resolved slots when it says 0). */
    public TrainingPlan plan(int resolvedWorkers) {
        LearningRate schedule = schedule(lr, lrDecay, lrDecayEvery, lrSchedule, lrStepEpochs, lrWarmupEpochs, epochs,
                lrScaling, resolvedWorkers);
        return new TrainingPlan(spec(), optimizer(updater, schedule, momentum, l2, weightDecay), resolvedWorkers,
                localSteps, warmupEpochs, batch, epochs, seed, averageUpdaterState, transforms(augment, labelSmoothing));
    }

    /**
     * Every setting that determines the trained model, as written to metrics.json and checked on resume:
     * {@code data} names the input, {@code engine} the trainer, {@code workers} and {@code trainExamples} are the
     * resolved values.
     */
    public Map<String, Object> configuration(String data, int resolvedWorkers, long trainExamples, String engine) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data", Redaction.uri(data));
        c.put("model", spec().toText());
        c.put("workers", resolvedWorkers);
        c.put("localSteps", localSteps);
        c.put("warmupEpochs", warmupEpochs);
        c.put("batch", batch);
        c.put("epochs", epochs);
        c.put("updater", updater);
        c.put("lr", lr);
        c.put("momentum", momentum);
        c.put("l2", l2);
        c.put("lrDecay", lrDecay);
        c.put("lrDecayEvery", lrDecayEvery);
        c.put("lrSchedule", LearningRate.Decay.parse(lrSchedule).toString());
        c.put("lrStepEpochs", lrStepEpochs);
        c.put("lrWarmupEpochs", lrWarmupEpochs);
        c.put("lrScaling", lrScaling);
        c.put("weightDecay", weightDecay);
        c.put("labelSmoothing", labelSmoothing);
        c.put("augment", Augmentation.parse(augment).toText());
        c.put("init", init);
        c.put("seed", seed);
        c.put("trainExamples", trainExamples);
        c.put("reshuffleEvery", reshuffleEvery);
        c.put("maxRounds", maxRounds);
        c.put("averageUpdaterState", averageUpdaterState);
        c.put("engine", engine);
        c.put("exchangePrecision", exchangePrecisionMode().toString());
        return c;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this configuration. */
    public Builder toBuilder() {
        return new Builder().model(model).init(init).workers(workers).localSteps(localSteps)
                .warmupEpochs(warmupEpochs).batch(batch).epochs(epochs).updater(updater).lr(lr).momentum(momentum)
                .l2(l2).lrDecay(lrDecay).lrDecayEvery(lrDecayEvery).lrSchedule(lrSchedule).lrStepEpochs(lrStepEpochs)
                .lrWarmupEpochs(lrWarmupEpochs).lrScaling(lrScaling).weightDecay(weightDecay)
                .labelSmoothing(labelSmoothing).augment(augment).seed(seed).reshuffleEvery(reshuffleEvery)
                .maxRounds(maxRounds).averageUpdaterState(averageUpdaterState).aggregation(aggregation)
                .exchangePrecision(exchangePrecision).trainLimit(trainLimit).testLimit(testLimit);
    }

    /** Collects the settings; {@link #build} validates them. The defaults are the command line's. */
    public static final class Builder {
        private String model = "lenet";
        private String init = "glorot-uniform";
        private int workers = 0;
        private int localSteps = 5;
        private int warmupEpochs = 0;
        private int batch = 64;
        private int epochs = 5;
        private String updater = "nesterov";
        private double lr = 0.02;
        private double momentum = 0.9;
        private double l2 = 0;
        private double lrDecay = 1.0;
        private long lrDecayEvery = 0;
        private String lrSchedule = "iterations";
        private double lrStepEpochs = 0;
        private double lrWarmupEpochs = 0;
        private String lrScaling = "none";
        private double weightDecay = 0;
        private double labelSmoothing = 0;
        private String augment = "none";
        private long seed = 1;
        private int reshuffleEvery = 1;
        private int maxRounds = 0;
        private boolean averageUpdaterState = true;
        private String aggregation = "auto";
        private String exchangePrecision = "fp32";
        private int trainLimit = 0;
        private int testLimit = 0;

        private Builder() { }

        public Builder model(String v) {
            model = v;
            return this;
        }

        public Builder init(String v) {
            init = v;
            return this;
        }

        public Builder workers(int v) {
            workers = v;
            return this;
        }

        public Builder localSteps(int v) {
            localSteps = v;
            return this;
        }

        public Builder warmupEpochs(int v) {
            warmupEpochs = v;
            return this;
        }

        public Builder batch(int v) {
            batch = v;
            return this;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder updater(String v) {
            updater = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        public Builder l2(double v) {
            l2 = v;
            return this;
        }

        public Builder lrDecay(double v) {
            lrDecay = v;
            return this;
        }

        public Builder lrDecayEvery(long v) {
            lrDecayEvery = v;
            return this;
        }

        public Builder lrSchedule(String v) {
            lrSchedule = v;
            return this;
        }

        public Builder lrStepEpochs(double v) {
            lrStepEpochs = v;
            return this;
        }

        public Builder lrWarmupEpochs(double v) {
            lrWarmupEpochs = v;
            return this;
        }

        public Builder lrScaling(String v) {
            lrScaling = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder labelSmoothing(double v) {
            labelSmoothing = v;
            return this;
        }

        public Builder augment(String v) {
            augment = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder reshuffleEvery(int v) {
            reshuffleEvery = v;
            return this;
        }

        public Builder maxRounds(int v) {
            maxRounds = v;
            return this;
        }

        public Builder averageUpdaterState(boolean v) {
            averageUpdaterState = v;
            return this;
        }

        public Builder aggregation(String v) {
            aggregation = v;
            return this;
        }

        public Builder exchangePrecision(String v) {
            exchangePrecision = v;
            return this;
        }

        public Builder trainLimit(int v) {
            trainLimit = v;
            return this;
        }

        public Builder testLimit(int v) {
            testLimit = v;
            return this;
        }

        public TrainingConfig build() {
            return new TrainingConfig(model, init, workers, localSteps, warmupEpochs, batch, epochs, updater, lr,
                    momentum, l2, lrDecay, lrDecayEvery, lrSchedule, lrStepEpochs, lrWarmupEpochs, lrScaling,
                    weightDecay, labelSmoothing, augment, seed, reshuffleEvery, maxRounds, averageUpdaterState,
                    aggregation, exchangePrecision, trainLimit, testLimit);
        }
    }
}
