package org.sparkcnn.spark.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.core.BlasKernel;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.spark.Aggregation;
import org.sparkcnn.spark.TrainingPlan;
import org.sparkcnn.spark.api.ConfigException;
import org.sparkcnn.spark.api.RunOptions;
import org.sparkcnn.spark.api.RunOutputs;
import org.sparkcnn.spark.api.SparkCnn;
import org.sparkcnn.spark.api.TrainingConfig;
import org.sparkcnn.spark.api.TrainingInput;
import org.sparkcnn.spark.api.TrainingResult;
import org.sparkcnn.spark.io.Redaction;
import org.sparkcnn.spark.io.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code spark-cnn train}: distributed local SGD with parameter averaging, then evaluation on the test set. The
 * options become a {@link TrainingConfig} and {@link RunOptions}; the run is {@link SparkCnn#train}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Train a CNN on MNIST-format data with local SGD and parameter averaging.")
final class TrainCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "properties file of defaults (keys = option names)")
    String config;

    @Option(names = "--data", paramLabel = "DIR", description = "directory or Hadoop URI with the four MNIST-format "
            + "IDX files (gz or not), or with Parquet train/ and test/ (spark-cnn convert); default: the bundled MNIST "
            + "sample")
    String data = Defaults.sampleData();

    @Option(names = "--model", description = "lenet, tf-mnist, or a spec such as conv5x5x20,maxpool2,softmax10")
    String model = "lenet";

    @Mixin
    SparkOptions spark;

    @Option(names = "--local-steps", paramLabel = "T", description = "local SGD steps between averagings (tau)")
    int localSteps = 5;

    @Option(names = "--warmup-epochs", paramLabel = "E", description = "post-local SGD: tau = 1 for the first E epochs")
    int warmupEpochs = 0;

    @Option(names = "--batch", paramLabel = "B", description = "minibatch size per worker step")
    int batch = 64;

    @Option(names = "--epochs", paramLabel = "E", description = "passes over the training set")
    int epochs = 5;

    @Option(names = "--lr", paramLabel = "X", description = "learning rate")
    double lr = 0.02;

    @Option(names = "--updater", description = "sgd, momentum, nesterov or adam")
    String updater = "nesterov";

    @Option(names = "--momentum", description = "momentum for momentum and nesterov")
    double momentum = 0.9;

    @Option(names = "--l2", description = "L2 weight decay")
    double l2 = 0;

    @Option(names = "--lr-decay", description = "step decay factor gamma (lr * gamma^floor(iteration / every))")
    double lrDecay = 1.0;

    @Option(names = "--lr-decay-every", paramLabel = "ITERATIONS", description = "iterations between decays (0: none)")
    long lrDecayEvery = 0;

    @Option(names = "--lr-schedule", paramLabel = "S", description = "iterations (--lr-decay every "
            + "--lr-decay-every iterations of each worker), step (--lr-decay every --lr-step-epochs epochs) or cosine "
            + "(to 0 at the end); the epoch-based ones mean the same for any --workers")
    String lrSchedule = "iterations";

    @Option(names = "--lr-step-epochs", paramLabel = "E", description = "epochs between decays (--lr-schedule step)")
    double lrStepEpochs = 0;

    @Option(names = "--lr-warmup-epochs", paramLabel = "E", description = "linear learning-rate warm-up from 0 over "
            + "the first E epochs")
    double lrWarmupEpochs = 0;

    @Option(names = "--lr-scaling", paramLabel = "RULE", description = "none, linear (lr x workers) or sqrt "
            + "(lr x sqrt(workers)); --lr is then the rate for one worker")
    String lrScaling = "none";

    @Option(names = "--weight-decay", paramLabel = "X", description = "decoupled weight decay (AdamW / SGDW): "
            + "params *= 1 - lr * X every step")
    double weightDecay = 0;

    @Option(names = "--label-smoothing", paramLabel = "X", description = "training targets (1 - X) one-hot + X / K")
    double labelSmoothing = 0;

    @Option(names = "--augment", paramLabel = "SPEC", description = "augmentation of training images on the "
            + "executors, seeded: none, or e.g. shift2,rotate10,scale0.1,flip")
    String augment = "none";

    @Option(names = "--init", description = "default weight init: zeros, constantV, uniformA, normalS, xavier-normal, "
            + "xavier-uniform, glorot-normal, glorot-uniform, he")
    String init = "glorot-uniform";

    @Option(names = "--seed", paramLabel = "S", description = "the run seed: initialization, data order and dropout "
            + "all derive from it")
    long seed = 1;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory or Hadoop URI")
    String out = "runs/latest";

    @Option(names = "--train-limit", paramLabel = "N", description = "use only the first N training examples")
    int trainLimit = 0;

    @Option(names = "--test-limit", paramLabel = "N", description = "use only the first N test examples")
    int testLimit = 0;

    @Option(names = "--checkpoint-every", paramLabel = "K", description = "checkpoint every K rounds (0: only at "
            + "epoch ends)")
    int checkpointEvery = 0;

    @Option(names = "--keep-checkpoints", paramLabel = "N", description = "keep the newest N checkpoints, delete older "
            + "ones (0: keep all)")
    int keepCheckpoints = 3;

    @Option(names = "--resume", description = "continue from the newest checkpoint in --out")
    boolean resume;

    @Option(names = "--eval-every-epoch", description = "evaluate on the test set after every epoch")
    boolean evalEveryEpoch;

    @Option(names = "--eval-every-rounds", paramLabel = "K", description = "also evaluate on the test set after "
            + "every K rounds (0: never); written to metrics.json as evaluations, training time excludes it")
    int evalEveryRounds = 0;

    @Option(names = "--average-updater-state", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "average the optimizer state with the parameters (default) or keep one per worker")
    boolean averageUpdaterState = true;

    @Option(names = "--progress", description = "auto, bar, lines or none")
    String progress = "auto";

    @Option(names = "--engine", description = "native (default) or dl4j-spark (Spark 3.5 build only): the same run "
            + "through Deeplearning4j's ParameterAveragingTrainingMaster, for A/B comparisons")
    String engine = "native";

    @Option(names = "--reshuffle-every", paramLabel = "K", description = "reshuffle the training set across the "
            + "workers' shards every K epochs, from the first (0: never; each shard is then a contiguous range of "
            + "the files, for data already in random order); each shard is reshuffled within every epoch")
    int reshuffleEvery = 1;

    @Option(names = "--aggregation", paramLabel = "WHERE", description = "where the workers' vectors are averaged "
            + "every round: driver (all N vectors pass through the driver), executors (through Spark's block manager; "
            + "the driver receives a few hundred bytes per task) or auto (executors from 2 workers when rounds can run "
            + "as barrier jobs, else when N x (parameters + averaged optimizer state) reaches "
            + Aggregation.AUTO_MIN_FLOATS / 1_000_000 + "M floats); the trained model is the same bits either way")
    String aggregation = "auto";

    @Option(names = "--exchange-precision", paramLabel = "P", description = "fp32 or bf16: how executors exchange "
            + "vectors (bf16: the round's changes rounded to bfloat16, half the bytes; executor path only)")
    String exchangePrecision = "fp32";

    @Option(names = "--max-rounds", paramLabel = "R", description = "stop after R rounds in all (0: no limit)")
    int maxRounds = 0;

    @Option(names = "--round-timeout", paramLabel = "SECONDS", description = "fail the run when a round runs longer "
            + "than SECONDS (its tasks are cancelled; 0: no limit)")
    int roundTimeout = 0;

    @Option(names = "--allow-different-hardware", description = "resume from a checkpoint made with other task "
            + "cores (spark.task.cpus) or another BLAS kernel; the result is then not bit-identical to the "
            + "uninterrupted run's")
    boolean allowDifferentHardware;

    @Option(names = "--fail-round", hidden = true, description = "test only: fail the first attempt of this round")
    int failRound = -1;

    /** The settings as the API's configuration; a bad value is a one-line error naming its option. */
    private TrainingConfig config() {
        spark.validate();
        if (!engine.equals("native") && Extensions.engine(engine).isEmpty()) {
            throw new UserError(Extensions.missing(engine)
                    .orElse("--engine must be native or dl4j-spark, got '" + engine + "'"));
        }
        if (!engine.equals("native") && (resume || checkpointEvery > 0 || evalEveryEpoch || failRound >= 0
                || roundTimeout > 0)) {
            throw new UserError("--engine " + engine + " does not support --resume, --checkpoint-every, "
                    + "--eval-every-epoch or --round-timeout");
        }
        if (!List.of("auto", "bar", "lines", "none").contains(progress)) {
            throw new UserError("--progress must be auto, bar, lines or none, got '" + progress + "'");
        }
        try {
            return TrainingConfig.builder().model(model).init(init).workers(spark.workersBeforeStart())
                    .localSteps(localSteps).warmupEpochs(warmupEpochs).batch(batch).epochs(epochs).updater(updater).lr(lr)
                    .momentum(momentum).l2(l2).lrDecay(lrDecay).lrDecayEvery(lrDecayEvery).lrSchedule(lrSchedule)
                    .lrStepEpochs(lrStepEpochs).lrWarmupEpochs(lrWarmupEpochs).lrScaling(lrScaling)
                    .weightDecay(weightDecay).labelSmoothing(labelSmoothing).augment(augment).seed(seed)
                    .reshuffleEvery(reshuffleEvery).maxRounds(maxRounds).averageUpdaterState(averageUpdaterState)
                    .aggregation(aggregation).exchangePrecision(exchangePrecision).trainLimit(trainLimit)
                    .testLimit(testLimit).build();
        } catch (ConfigException e) {
            throw new UserError(optionOf(e));
        }
    }

    private RunOptions options(Progress bar) {
        try {
            return RunOptions.builder().output(out).checkpointEvery(checkpointEvery).keepCheckpoints(keepCheckpoints)
                    .resume(resume).evalEveryRounds(evalEveryRounds).evalEveryEpoch(evalEveryEpoch).listener(bar)
                    .failRound(failRound).roundTimeout(roundTimeout).allowDifferentHardware(allowDifferentHardware)
                    .build();
        } catch (ConfigException e) {
            throw new UserError(optionOf(e));
        }
    }

    /** A configuration error in the command line's terms: {@code localSteps} is {@code --local-steps}. */
    static String optionOf(ConfigException e) {
        if (e.setting().equals("optimizer")) {
            return e.problem();
        }
        String option = e.setting().replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
        return "--" + option + ": " + e.problem();
    }

    @Override
    public Integer call() throws Exception {
        TrainingConfig config = config();
        Optional<TrainEngine> other = engine.equals("native") ? Optional.empty() : Extensions.engine(engine);
        var sparkConf = spark.sparkConf("spark-cnn train", c -> other.ifPresent(e -> e.configure(c)));
        if (other.isPresent()) {
            TrainingPlan plan = config.plan(spark.workersBeforeStart());
            Storage storage = new Storage(SparkHadoopUtil.get().newConfiguration(sparkConf));
            ImageArray train = Inputs.load(storage, data, true, trainLimit, plan.spec());
            ImageArray test = Inputs.load(storage, data, false, testLimit, plan.spec());
            Map<String, Object> configuration = config.configuration(data, plan.workers(), train.size(), engine);
            try (JavaSparkContext sc = new JavaSparkContext(sparkConf);
                 StopSignal.Attached stop = StopSignal.attach(sc, spark.verbose, () -> "")) {
                quiet(sc);
                return other.get().train(new TrainEngine.Run(sc, plan, new RunOutputs(storage, out, keepCheckpoints),
                        configuration, progress, train, test, seed, evalEveryRounds));
            }
        }
        BlasKernel.probeInBackground();      // recorded with the run; its child JVM starts while the session does
        try (SparkSession session = SparkSession.builder().config(sparkConf).getOrCreate();
             Progress bar = new Progress(progress)) {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
            quiet(sc);
            config = config.toBuilder().workers(spark.workers(sc)).build();
            Storage storage = new Storage(sc.hadoopConfiguration());
            TrainingResult result;
            try (StopSignal.Attached stop = StopSignal.attach(sc, spark.verbose, () -> resumeHint(storage))) {
                result = SparkCnn.train(session, TrainingInput.directory(data), config, options(bar));
            }
            bar.close();
            System.out.println(result.test().orElseThrow().toTable());
            System.out.printf(java.util.Locale.ROOT, "wrote %s (model.scnn, metrics.json, rounds.csv)%n",
                    Redaction.uri(out));
        } catch (ConfigException e) {
            throw new UserError(optionOf(e));
        }
        return 0;
    }

    /** After a stop: where a rerun with --resume continues, the newest checkpoint in --out (the one it reads). */
    private String resumeHint(Storage storage) {
        String dir = Storage.join(out, "checkpoints");
        List<String> names;
        try {
            names = storage.list(dir).stream().filter(n -> n.matches("checkpoint-\\d+\\.bin")).sorted().toList();
        } catch (java.io.IOException e) {
            return "";
        }
        if (names.isEmpty()) {
            return "no checkpoint was written yet, so a rerun starts over (--checkpoint-every K writes one every K "
                    + "rounds, and one is written at every epoch's end)";
        }
        String last = names.get(names.size() - 1);
        return "run the same command (same --out) with --resume to continue from the last checkpoint, after round "
                + Integer.parseInt(last.replaceAll("\\D", "")) + " (" + Redaction.uri(Storage.join(dir, last)) + ")";
    }

    private void quiet(JavaSparkContext sc) {
        if (!spark.verbose) {
            sc.setLogLevel("WARN");
        }
    }
}
