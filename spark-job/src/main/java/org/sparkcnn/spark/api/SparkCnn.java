package org.sparkcnn.spark.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.core.BlasKernel;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.spark.DistributedEvaluation;
import org.sparkcnn.spark.DriverTraffic;
import org.sparkcnn.spark.Hardware;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Distributed training from a Spark application: local SGD on N workers with parameter averaging every τ steps
 * (McMahan et al. 2017; Lin et al. 2020), on the application's own {@link SparkSession}, which the run uses and
 * leaves running. The executors read and cache their shards; the driver plans the rounds and sees the model only
 * when it writes a checkpoint or the result.
 *
 * <pre>{@code
 * TrainingResult r = SparkCnn.train(spark, TrainingInput.directory("data/mnist-sample"),
 *         TrainingConfig.builder().model("lenet").workers(2).epochs(5).build(),
 *         RunOptions.builder().output("runs/lenet").evalEveryEpoch(true).build());
 * System.out.println(r.test().orElseThrow().accuracy());
 * }</pre>
 *
 * The command line's {@code train} is this call; the same settings give the same model, bit for bit.
 */
public final class SparkCnn {
    private static final Logger LOG = LoggerFactory.getLogger(SparkCnn.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SparkCnn() { }

    /** Trains without writing anything: the result is only returned. */
    public static TrainingResult train(SparkSession spark, TrainingInput input, TrainingConfig config) {
        return train(spark, input, config, RunOptions.none());
    }

    /**
     * Trains on {@code input}'s training set, evaluates on its test set when it has one, and writes the outputs when
     * {@code options} name a directory. Bad input is an {@link IllegalArgumentException} with a one-line message
     * naming it; nothing is written before the data and the settings are checked.
     */
    public static TrainingResult train(SparkSession spark, TrainingInput input, TrainingConfig config,
                                       RunOptions options) {
        if (!input.hasTest() && (options.evalEveryEpoch() || options.evalEveryRounds() > 0)) {
            throw new ConfigException(options.evalEveryEpoch() ? "evalEveryEpoch" : "evalEveryRounds",
                    "needs a test set, and the input has none");
        }
        BlasKernel.probeInBackground();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int workers = config.workers() > 0 ? config.workers() : sc.defaultParallelism();
        TrainingPlan plan = config.plan(workers);
        Storage storage = new Storage(sc.hadoopConfiguration());
        Optional<RunOutputs> outputs = options.output().map(dir -> new RunOutputs(storage, dir,
                options.keepCheckpoints()));
        ImageSource trainSource = input.open(sc, true, config.trainLimit(), plan.spec(), workers);
        Optional<ImageSource> testSource = input.hasTest()
                ? Optional.of(input.open(sc, false, config.testLimit(), plan.spec(), workers)) : Optional.empty();
        Map<String, Object> configuration = config.configuration(input.name(), workers, trainSource.size(), "native");
        configuration.put("hardware", Hardware.probe(sc, workers).toMap());
        String configText = MetricsReport.toJsonString(configuration);
        try {
            Resumed resumed = options.resume() ? resume(outputs.orElseThrow(), configText,
                    options.allowDifferentHardware()) : Resumed.NONE;
            DriverTraffic traffic = DriverTraffic.attach(sc);
            try {
                return run(sc, input, config, options, plan, outputs, trainSource, testSource, configuration,
                        configText, resumed, traffic);
            } finally {
                traffic.detach();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The metrics of a model ({@code spec} and its flat {@code params}) on {@code input}'s test set, or on its
     * training set when {@code trainingSet} holds, read into {@code partitions} cached shards and evaluated on the
     * executors (0: the cluster's task slots).
     */
    public static Metrics evaluate(SparkSession spark, TrainingInput input, boolean trainingSet, ModelSpec spec,
                                   float[] params, int partitions) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int shards = partitions > 0 ? partitions : sc.defaultParallelism();
        if (!trainingSet && !input.hasTest()) {
            throw new IllegalArgumentException("the input has no test set");
        }
        ImageSource source = input.open(sc, trainingSet, 0, spec, shards);
        Shards set = Shards.place(sc, source, shards, spec.outputs(), Layout.sourceOrder(source.size()));
        try {
            return Metrics.of(DistributedEvaluation.evaluate(sc, spec, params, set));
        } finally {
            set.release();
        }
    }

    /** Where a resumed run starts: a checkpoint's state, the rounds before it and its evaluation history. */
    private record Resumed(Checkpoint checkpoint, String file, List<RoundStats> earlier, Optional<String> caveat) {
        static final Resumed NONE = new Resumed(null, null, List.of(), Optional.empty());

        TrainingState state() {
            return checkpoint == null ? null : checkpoint.state();
        }

        String history() {
            return checkpoint == null ? "{}" : checkpoint.history();
        }
    }

    /**
     * The newest checkpoint, when it was made under this configuration. A checkpoint made with other task cores or
     * another BLAS kernel ({@link Hardware}) is refused, unless {@code allowDifferentHardware}: the run then
     * continues, but its result is no longer the uninterrupted run's bit for bit.
     */
    private static Resumed resume(RunOutputs outputs, String configText, boolean allowDifferentHardware)
            throws IOException {
        String file = outputs.latestCheckpointFile();
        Checkpoint ck = file == null ? null : outputs.checkpoint(file);
        if (ck == null) {
            return Resumed.NONE;
        }
        if (!ck.configuration().equals(configText)) {
            ObjectNode saved = (ObjectNode) JSON.readTree(ck.configuration());
            ObjectNode now = (ObjectNode) JSON.readTree(configText);
            JsonNode savedHardware = saved.remove("hardware");
            JsonNode hardware = now.remove("hardware");
            if (!saved.equals(now)) {
                throw new ConfigException("resume", "the checkpoint in " + outputs.checkpoints() + " was made with a "
                        + "different configuration: " + ck.configuration());
            }
            String differs = "the checkpoint in " + outputs.checkpoints() + " was made with "
                    + describe(savedHardware) + ", this run has " + describe(hardware);
            if (!allowDifferentHardware) {
                throw new ConfigException("resume", differs + ", so the result would not be bit-identical to the "
                        + "uninterrupted run's (--allow-different-hardware resumes anyway)");
            }
            String caveat = differs + ": resuming anyway (--allow-different-hardware); the result is no longer "
                    + "bit-identical to the uninterrupted run's";
            LOG.info(caveat);
            return new Resumed(ck, file, outputs.roundsBefore(ck.state().globalRound()), Optional.of(caveat));
        }
        return new Resumed(ck, file, outputs.roundsBefore(ck.state().globalRound()), Optional.empty());
    }

    /** {@code task cores 2, BLAS OPENBLAS 0.3.19, kernel Haswell}, from a configuration's {@code hardware}. */
    private static String describe(JsonNode hardware) {
        if (hardware == null || !hardware.isObject()) {
            return "no hardware recorded";
        }
        JsonNode blas = hardware.path("blas");
        return "task cores " + hardware.path("taskCores").asText("?") + ", BLAS "
                + (blas.isArray() ? blas.toString() : blas.asText("?"));
    }

    private static TrainingResult run(JavaSparkContext sc, TrainingInput input, TrainingConfig config,
                                      RunOptions options, TrainingPlan plan, Optional<RunOutputs> outputs,
                                      ImageSource trainSource, Optional<ImageSource> testSource,
                                      Map<String, Object> configuration, String configText, Resumed resumed,
                                      DriverTraffic traffic) throws IOException {
        ParameterAveraging pa = new ParameterAveraging(sc, plan, config.aggregationMode(),
                config.exchangePrecisionMode(), options.failRound(), options.roundTimeout());
        pa.checkDriverLimits(sc.getConf());
        pa.checkExecutorLimits(sc.getConf());
        if (resumed.checkpoint() != null) {
            resumed.checkpoint().checkFits(plan.spec().paramCount(), plan.averageUpdater() ? 1 : plan.workers(),
                    pa.stateLength(), plan.epochs(), resumed.file());
        }
        TrainingState start = resumed.state() != null ? resumed.state() : pa.initialState(
                new Network(plan.spec()).initialize(plan.seed()).params().toFloatVector());
        int n = Math.toIntExact(trainSource.size());
        int totalRounds = 0;
        for (int e = 0; e < plan.epochs(); e++) {
            totalRounds += pa.roundsIn(e, n);
        }
        if (config.maxRounds() > 0) {
            totalRounds = Math.min(totalRounds, config.maxRounds());
        }
        try (TrainingData train = new TrainingData(sc, trainSource, plan.workers(), plan.spec().outputs(),
                plan.seed(), config.reshuffleEvery(), plan.epochs())) {
            long reading = System.nanoTime();
            input.checkClasses(train.shardsFor(start.epoch()), plan.spec());
            double readSeconds = (System.nanoTime() - reading) / 1e9;
            Optional<Shards> test = testSource.map(s -> Shards.place(sc, s, plan.workers(), plan.spec().outputs(),
                    Layout.sourceOrder(s.size())));
            try {
                var begin = new TrainingListener.RunStart(totalRounds, start.globalRound(), start.epoch(),
                        plan.epochs(), plan.workers(), resumed.caveat());
                options.listeners().forEach(l -> l.onStart(begin));
                RoundMonitor monitor = new RoundMonitor(sc, plan, test, outputs, configText, options, start,
                        resumed.earlier());
                monitor.restore(resumed.history());
                TrainingState end = pa.train(train, start, config.maxRounds(), monitor);
                Optional<Metrics> m = test.map(t -> monitor.evaluate(end));
                Map<String, Object> report = report(monitor, readSeconds, end, pa, traffic, sc, plan, configuration);
                if (outputs.isPresent()) {
                    outputs.get().writeResults(plan.spec(), end.params(), m, report, monitor.rounds);
                }
                return new TrainingResult(plan.spec(), end.params(), m, monitor.rounds,
                        m.map(metrics -> withEvaluation(metrics, report)).orElse(report));
            } finally {
                test.ifPresent(Shards::release);
            }
        }
    }

    private static Map<String, Object> withEvaluation(Metrics m, Map<String, Object> extra) {
        Map<String, Object> r = MetricsReport.evaluation(m);
        r.putAll(extra);
        return r;
    }

    /** metrics.json beyond the evaluation: timings, traffic, the evaluations made during training, configuration. */
    private static Map<String, Object> report(RoundMonitor monitor, double readSeconds, TrainingState end,
                                              ParameterAveraging pa, DriverTraffic traffic, JavaSparkContext sc,
                                              TrainingPlan plan, Map<String, Object> configuration) {
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
        return extra;
    }
}
