package org.sparkcnn.spark.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.WeightInit;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.spark.Aggregation;
import org.sparkcnn.spark.DistributedEvaluation;
import org.sparkcnn.spark.DriverTraffic;
import org.sparkcnn.spark.ParameterAveraging;
import org.sparkcnn.spark.RoundStats;
import org.sparkcnn.spark.TrainingPlan;
import org.sparkcnn.spark.TrainingState;
import org.sparkcnn.spark.data.ImageSource;
import org.sparkcnn.spark.data.Layout;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.data.TrainingData;
import org.sparkcnn.spark.io.Checkpoint;
import org.sparkcnn.spark.io.MetricsReport;
import org.sparkcnn.spark.io.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code spark-cnn train}: distributed local SGD with parameter averaging, then evaluation on the test set. */
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
            + "the driver receives a few hundred bytes per task) or auto (executors when N x (parameters + averaged "
            + "optimizer state) reaches " + Aggregation.AUTO_MIN_FLOATS / 1_000_000 + "M floats); the trained model "
            + "is the same bits either way")
    String aggregation = "auto";

    @Option(names = "--max-rounds", paramLabel = "R", description = "stop after R rounds in all (0: no limit)")
    int maxRounds = 0;

    @Option(names = "--fail-round", hidden = true, description = "test only: fail the first attempt of this round")
    int failRound = -1;

    /** The validated plan for {@code workers} workers (known for certain once the Spark context has started). */
    private TrainingPlan plan(int workers) {
        spark.validate();
        if (batch < 1 || epochs < 1 || localSteps < 1 || warmupEpochs < 0 || trainLimit < 0 || testLimit < 0
                || checkpointEvery < 0 || keepCheckpoints < 0 || evalEveryRounds < 0 || reshuffleEvery < 0
                || maxRounds < 0) {
            throw new UserError("--batch, --epochs and --local-steps must be positive; limits, --warmup-epochs, "
                    + "--checkpoint-every, --keep-checkpoints, --eval-every-rounds, --reshuffle-every and --max-rounds "
                    + "non-negative");
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new UserError("--lr must be a positive number, got " + lr);
        }
        if (!engine.equals("native") && Extensions.engine(engine).isEmpty()) {
            throw new UserError(Extensions.missing(engine)
                    .orElse("--engine must be native or dl4j-spark, got '" + engine + "'"));
        }
        if (!engine.equals("native") && (resume || checkpointEvery > 0 || evalEveryEpoch || failRound >= 0)) {
            throw new UserError("--engine " + engine + " does not support --resume, --checkpoint-every or "
                    + "--eval-every-epoch");
        }
        try {
            Aggregation.parse(aggregation);
        } catch (IllegalArgumentException e) {
            throw new UserError("--aggregation: " + e.getMessage());
        }
        if (!List.of("auto", "bar", "lines", "none").contains(progress)) {
            throw new UserError("--progress must be auto, bar, lines or none, got '" + progress + "'");
        }
        ModelSpec spec;
        OptimizerConfig opt;
        try {
            spec = Presets.resolve(model, WeightInit.parse(init));
        } catch (IllegalArgumentException e) {
            throw new UserError((e.getMessage().startsWith("unknown weight init") ? "--init: " : "--model: ")
                    + e.getMessage());
        }
        if (spec.usesStep()) {
            throw new UserError("--model: " + org.sparkcnn.core.Activation.STEP_MESSAGE);
        }
        OptimizerConfig.Kind kind;
        try {
            kind = OptimizerConfig.parseKind(updater);
        } catch (IllegalArgumentException e) {
            throw new UserError("--updater: " + e.getMessage());
        }
        try {
            opt = new OptimizerConfig(kind,
                    LearningRate.stepDecay(lr, lrDecay, lrDecayEvery), momentum, 0.9, 0.999, 1e-8, l2);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        return new TrainingPlan(spec, opt, workers, localSteps, warmupEpochs, batch, epochs, seed,
                averageUpdaterState);
    }

    /** The resolved configuration: every setting that determines the trained model (what a checkpoint must match). */
    private Map<String, Object> configuration(TrainingPlan plan, long trainExamples) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data", data);
        c.put("model", plan.spec().toText());
        c.put("workers", plan.workers());
        c.put("localSteps", plan.localSteps());
        c.put("warmupEpochs", plan.warmupEpochs());
        c.put("batch", plan.batchSize());
        c.put("epochs", plan.epochs());
        c.put("updater", updater);
        c.put("lr", lr);
        c.put("momentum", momentum);
        c.put("l2", l2);
        c.put("lrDecay", lrDecay);
        c.put("lrDecayEvery", lrDecayEvery);
        c.put("init", init);
        c.put("seed", seed);
        c.put("trainExamples", trainExamples);
        c.put("reshuffleEvery", reshuffleEvery);
        c.put("maxRounds", maxRounds);
        c.put("averageUpdaterState", averageUpdaterState);
        c.put("engine", engine);
        return c;
    }

    /** When to checkpoint and evaluate during a run. */
    record Schedule(int checkpointEvery, int evalEveryRounds, boolean evalEveryEpoch) { }

    @Override
    public Integer call() throws Exception {
        TrainingPlan plan = plan(spark.workersBeforeStart());
        Optional<TrainEngine> other = engine.equals("native") ? Optional.empty() : Extensions.engine(engine);
        var sparkConf = spark.sparkConf("spark-cnn train", c -> other.ifPresent(e -> e.configure(c)));
        Storage storage = new Storage(SparkHadoopUtil.get().newConfiguration(sparkConf));
        RunOutputs outputs = new RunOutputs(storage, out, keepCheckpoints);
        if (other.isPresent()) {
            ImageArray train = Inputs.load(storage, data, true, trainLimit, plan.spec());
            ImageArray test = Inputs.load(storage, data, false, testLimit, plan.spec());
            Map<String, Object> configuration = configuration(plan, train.size());
            try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
                quiet(sc);
                return other.get().train(new TrainEngine.Run(sc, plan, outputs, configuration, progress, train, test,
                        seed, evalEveryRounds));
            }
        }
        try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
            quiet(sc);
            plan = plan(spark.workers(sc));
            ImageSource trainSource = Inputs.open(sc, data, true, trainLimit, plan.spec(), plan.workers());
            ImageSource testSource = Inputs.open(sc, data, false, testLimit, plan.spec(), plan.workers());
            Map<String, Object> configuration = configuration(plan, trainSource.size());
            String configText = MetricsReport.toJsonString(configuration);
            TrainingState start = null;
            List<RoundStats> earlier = List.of();
            String history = "{}";
            if (resume) {
                Checkpoint ck = outputs.latestCheckpoint();
                if (ck != null) {
                    if (!ck.configuration().equals(configText)) {
                        throw new UserError("--resume: the checkpoint in " + outputs.checkpoints() + " was made with a "
                                + "different configuration: " + ck.configuration());
                    }
                    start = ck.state();
                    earlier = outputs.roundsBefore(start.globalRound());
                    history = ck.history();
                    System.err.println("resuming from round " + start.globalRound() + " (epoch " + (start.epoch() + 1)
                            + ")");
                }
            }
            DriverTraffic traffic = DriverTraffic.attach(sc);
            ParameterAveraging pa = new ParameterAveraging(sc, plan, Aggregation.parse(aggregation), failRound);
            pa.checkDriverLimits(sc.getConf());
            if (start == null) {
                start = pa.initialState(new Network(plan.spec(), DataType.FLOAT).initialize(seed).params()
                        .toFloatVector());
            }
            int n = Math.toIntExact(trainSource.size());
            int totalRounds = 0;
            for (int e = 0; e < plan.epochs(); e++) {
                totalRounds += pa.roundsIn(e, n);
            }
            if (maxRounds > 0) {
                totalRounds = Math.min(totalRounds, maxRounds);
            }
            try (TrainingData train = new TrainingData(sc, trainSource, plan.workers(), plan.spec().outputs(), seed,
                    reshuffleEvery);
                 Progress bar = Progress.open(progress, totalRounds, start.globalRound(), plan.epochs())) {
                long reading = System.nanoTime();
                Inputs.checkClasses(data, train.shardsFor(start.epoch()), plan.spec());
                double readSeconds = (System.nanoTime() - reading) / 1e9;
                Shards test = Shards.place(sc, testSource, plan.workers(), plan.spec().outputs(),
                        Layout.sourceOrder(testSource.size()));
                RoundMonitor monitor = new RoundMonitor(sc, plan, test, bar, outputs, configText,
                        new Schedule(checkpointEvery, evalEveryRounds, evalEveryEpoch), start, earlier);
                monitor.restore(history);
                TrainingState end = pa.train(train, start, maxRounds, monitor);
                Metrics m = monitor.evaluate(end);
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("trainExamples", monitor.trainExamples);
                extra.put("trainSeconds", monitor.trainSeconds);
                extra.put("readSeconds", readSeconds);
                extra.put("imagesPerSecond", monitor.trainSeconds > 0 ? monitor.trainExamples / monitor.trainSeconds : 0);
                extra.put("rounds", end.globalRound());
                extra.put("engine", "native");
                extra.put("aggregation", pa.aggregation().toString());
                extra.put("driverResultBytes", traffic.bytesByKind());
                extra.put("localStepsLocality", traffic.localStepsLocality());
                extra.put("exchangeBytes", monitor.rounds.stream().mapToLong(RoundStats::exchangeBytes).sum());
                extra.put("master", sc.master());
                extra.put("parameters", plan.spec().paramCount());
                if (!monitor.epochMetrics.isEmpty()) {
                    extra.put("epochMetrics", monitor.epochMetrics);
                }
                if (!monitor.evaluations.isEmpty()) {
                    extra.put("evaluations", monitor.evaluations);
                }
                extra.put("configuration", configuration);
                outputs.writeResults(plan.spec(), end.params(), m, extra, monitor.rounds);
                bar.close();
                System.out.println(m.toTable());
                System.out.printf(java.util.Locale.ROOT, "wrote %s (model.scnn, metrics.json, rounds.csv)%n", out);
            }
        }
        return 0;
    }

    private void quiet(JavaSparkContext sc) {
        if (!spark.verbose) {
            sc.setLogLevel("WARN");
        }
    }
}
