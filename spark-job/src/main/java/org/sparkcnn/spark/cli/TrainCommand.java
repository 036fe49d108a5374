package org.sparkcnn.spark.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.WeightInit;
import org.sparkcnn.core.data.MnistDataset;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.spark.DistributedEvaluation;
import org.sparkcnn.spark.ParameterAveraging;
import org.sparkcnn.spark.RoundStats;
import org.sparkcnn.spark.TrainingPlan;
import org.sparkcnn.spark.TrainingState;
import org.sparkcnn.spark.io.Checkpoint;
import org.sparkcnn.spark.io.MetricsReport;
import org.sparkcnn.spark.io.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code spark-cnn train}: distributed local SGD with parameter averaging, then evaluation on the test set. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a CNN on MNIST-format data with local SGD and parameter averaging.")
final class TrainCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "properties file of defaults (keys = option names)")
    String config;

    @Option(names = "--data", paramLabel = "DIR", description = "directory or Hadoop URI with the four MNIST files "
            + "(gz or not); default: the bundled MNIST sample")
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

    @Option(names = "--epochs", paramLabel = "E")
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

    @Option(names = "--seed", paramLabel = "S")
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

    @Option(names = "--fail-round", hidden = true, description = "test only: fail the first attempt of this round")
    int failRound = -1;

    private TrainingPlan plan() {
        spark.validate();
        if (batch < 1 || epochs < 1 || localSteps < 1 || warmupEpochs < 0 || trainLimit < 0 || testLimit < 0
                || checkpointEvery < 0 || evalEveryRounds < 0) {
            throw new UserError("--batch, --epochs and --local-steps must be positive; limits, --warmup-epochs, "
                    + "--checkpoint-every and --eval-every-rounds non-negative");
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new UserError("--lr must be a positive number, got " + lr);
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
        return new TrainingPlan(spec, opt, spark.workers, localSteps, warmupEpochs, batch, epochs, seed,
                averageUpdaterState);
    }

    /** The resolved configuration: every setting that determines the trained model (what a checkpoint must match). */
    private Map<String, Object> configuration(TrainingPlan plan, int trainExamples) {
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
        c.put("averageUpdaterState", averageUpdaterState);
        return c;
    }

    @Override
    public Integer call() throws Exception {
        TrainingPlan plan = plan();
        var sparkConf = spark.sparkConf("spark-cnn train");
        Storage storage = new Storage(SparkHadoopUtil.get().newConfiguration(sparkConf));
        MnistDataset train = Inputs.load(storage, data, true, trainLimit, plan.spec());
        MnistDataset test = Inputs.load(storage, data, false, testLimit, plan.spec());
        Map<String, Object> configuration = configuration(plan, train.size());
        String configText = MetricsReport.toJsonString(configuration);

        String checkpoints = Storage.join(out, "checkpoints");
        TrainingState start = null;
        List<RoundStats> rounds = new ArrayList<>();
        if (resume) {
            Checkpoint ck = latestCheckpoint(storage, checkpoints);
            if (ck != null) {
                if (!ck.configuration().equals(configText)) {
                    throw new UserError("--resume: the checkpoint in " + checkpoints + " was made with a different "
                            + "configuration: " + ck.configuration());
                }
                start = ck.state();
                rounds.addAll(RoundsCsv.read(storage, Storage.join(out, "rounds.csv"), start.globalRound()));
                System.err.println("resuming from round " + start.globalRound() + " (epoch " + (start.epoch() + 1) + ")");
            }
        }

        try (JavaSparkContext sc = spark.start("spark-cnn train")) {
            ParameterAveraging pa = new ParameterAveraging(sc, plan, failRound);
            if (start == null) {
                start = pa.initialState(new Network(plan.spec(), DataType.FLOAT).initialize(seed).params().toFloatVector());
            }
            Broadcast<MnistDataset> trainBc = sc.broadcast(train);
            Broadcast<MnistDataset> testBc = sc.broadcast(test);
            int totalRounds = 0;
            for (int e = 0; e < plan.epochs(); e++) {
                totalRounds += pa.roundsIn(e, train.size());
            }
            List<Map<String, Object>> epochMetrics = new ArrayList<>();
            List<Map<String, Object>> evaluations = new ArrayList<>();
            double[] trainSeconds = {0};
            long[] trainExamples = {0};
            for (RoundStats r : rounds) {                          // the rounds before a resumed checkpoint
                trainSeconds[0] += r.wallSeconds();
                trainExamples[0] += r.examples();
            }
            try (Progress bar = Progress.open(progress, totalRounds, start.globalRound(), plan.epochs())) {
                final TrainingState first = start;
                TrainingState end = pa.train(trainBc, start, new ParameterAveraging.Listener() {
                    @Override
                    public void onRound(RoundStats s, TrainingState next, int roundsInEpoch) {
                        rounds.add(s);
                        trainSeconds[0] += s.wallSeconds();
                        trainExamples[0] += s.examples();
                        bar.round(s, next.globalRound(), trainExamples[0] / Math.max(1e-9, trainSeconds[0]));
                        if (checkpointEvery > 0 && next.globalRound() % checkpointEvery == 0) {
                            saveCheckpoint(storage, checkpoints, configText, next, rounds);
                        }
                        if (evalEveryRounds > 0 && next.globalRound() % evalEveryRounds == 0) {
                            Metrics m = Metrics.of(DistributedEvaluation.evaluate(sc, plan.spec(), next.params(),
                                    testBc, plan.workers()));
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("round", next.globalRound());
                            row.put("epoch", s.epoch() + 1);
                            row.put("examples", trainExamples[0]);
                            row.put("trainSeconds", trainSeconds[0]);
                            row.put("accuracy", m.accuracy());
                            row.put("loss", m.loss());
                            evaluations.add(row);
                        }
                    }

                    @Override
                    public void onEpochEnd(int epoch, TrainingState next) {
                        if (next.globalRound() > first.globalRound() || next.epoch() > first.epoch()) {
                            saveCheckpoint(storage, checkpoints, configText, next, rounds);
                        }
                        if (evalEveryEpoch) {
                            Metrics m = Metrics.of(DistributedEvaluation.evaluate(sc, plan.spec(), next.params(),
                                    testBc, plan.workers()));
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("epoch", epoch + 1);
                            row.put("accuracy", m.accuracy());
                            row.put("loss", m.loss());
                            epochMetrics.add(row);
                            bar.message(String.format(java.util.Locale.ROOT, "epoch %d: test accuracy %.4f, loss %.4f",
                                    epoch + 1, m.accuracy(), m.loss()));
                        }
                    }
                });
                Metrics m = Metrics.of(DistributedEvaluation.evaluate(sc, plan.spec(), end.params(), testBc,
                        plan.workers()));
                writeResults(storage, plan, end, m, configuration, rounds, epochMetrics, evaluations, trainSeconds[0],
                        trainExamples[0], sc.master());
                bar.close();
                System.out.println(m.toTable());
                System.out.printf(java.util.Locale.ROOT, "wrote %s (model.scnn, metrics.json, rounds.csv)%n", out);
            }
        }
        return 0;
    }

    private void writeResults(Storage storage, TrainingPlan plan, TrainingState end, Metrics m,
                              Map<String, Object> configuration, List<RoundStats> rounds,
                              List<Map<String, Object>> epochMetrics, List<Map<String, Object>> evaluations,
                              double seconds, long examples, String master)
            throws java.io.IOException {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ModelFile.writeTo(model, plan.spec(), Nd4j.createFromArray(end.params()));
        storage.write(Storage.join(out, "model.scnn"), model.toByteArray());
        RoundsCsv.write(storage, Storage.join(out, "rounds.csv"), rounds);
        Map<String, Object> report = MetricsReport.evaluation(m);
        report.put("trainExamples", examples);
        report.put("trainSeconds", seconds);
        report.put("imagesPerSecond", seconds > 0 ? examples / seconds : 0);
        report.put("rounds", end.globalRound());
        report.put("engine", "native");
        report.put("master", master);
        report.put("parameters", plan.spec().paramCount());
        if (!epochMetrics.isEmpty()) {
            report.put("epochMetrics", epochMetrics);
        }
        if (!evaluations.isEmpty()) {
            report.put("evaluations", evaluations);
        }
        report.put("configuration", configuration);
        storage.write(Storage.join(out, "metrics.json"), MetricsReport.toJson(report));
    }

    /**
     * Writes rounds.csv up to {@code state}, then the checkpoint (both atomically). In this order a kill between the
     * two leaves a rounds.csv that is ahead of the newest checkpoint, and --resume keeps only its rows before the
     * checkpoint's round.
     */
    private void saveCheckpoint(Storage storage, String dir, String configText, TrainingState state,
                                List<RoundStats> rounds) {
        try {
            RoundsCsv.write(storage, Storage.join(out, "rounds.csv"), rounds);
            storage.write(Storage.join(dir, Checkpoint.fileName(state.globalRound())),
                    new Checkpoint(configText, state).toBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write checkpoint to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The newest checkpoint in {@code dir}, or null when there is none. */
    static Checkpoint latestCheckpoint(Storage storage, String dir) throws java.io.IOException {
        String newest = null;
        for (String name : storage.list(dir)) {
            if (name.startsWith("checkpoint-") && name.endsWith(".bin") && (newest == null || name.compareTo(newest) > 0)) {
                newest = name;
            }
        }
        if (newest == null) {
            return null;
        }
        String path = Storage.join(dir, newest);
        return Checkpoint.fromBytes(storage.read(path), path);
    }

}
