package org.sparkcnn.dl4jspark.bench;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.spark.data.ArraySource;
import org.sparkcnn.spark.data.IdxSource;
import org.sparkcnn.spark.data.Layout;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.data.TrainingData;
import org.sparkcnn.core.eval.Evaluator;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.optim.LearningRate;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.spark.DistributedEvaluation;
import org.sparkcnn.spark.EngineConf;
import org.sparkcnn.spark.NativeThreads;
import org.sparkcnn.spark.ParameterAveraging;
import org.sparkcnn.spark.RoundStats;
import org.sparkcnn.spark.TrainingPlan;
import org.sparkcnn.spark.TrainingState;
import org.sparkcnn.tools.dl4j.Dl4jData;
import org.sparkcnn.tools.dl4j.Dl4jModels;
import org.sparkcnn.dl4jspark.Dl4jSparkEngine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * One engine of the benchmark in this JVM (scripts/bench-warm.sh runs each in its own, so peak memory is per engine):
 * <pre>
 *   --engine native-1|native-2|dl4j|dl4j-spark|blas   --data DIR --result FILE
 *   [--model lenet] [--workers 2] [--tau 5] [--batch 64] [--lr 0.01] [--momentum 0.9] [--epochs 1]
 *   [--train-limit N] [--eval-every 100 (minibatches)] [--target 0.88] [--seed 1] [--warmup-images N|-1]
 *   --summarize DIR   (reads DIR/raw/*.properties, writes DIR/results.md and DIR/results.csv)
 * </pre>
 * native-1 is our {@link ParameterAveraging} with one worker whose task has all {@code workers} cores (each
 * minibatch split over that many threads), native-2 with {@code workers} workers of one core each, both on
 * local[workers]; dl4j is {@link MultiLayerNetwork#fit} on the same minibatches in one process;
 * dl4j-spark is {@link Dl4jSparkEngine} with the same workers and τ. All start from the same initial parameters
 * (our Glorot init, seed), train with Nesterov momentum and are evaluated on the test set by our evaluator every
 * {@code eval-every} minibatches (all workers together); training time excludes evaluation.
 * Each engine first trains, untimed, one epoch on the first {@code warmup-images} training images (-1, the
 * default: all of them) from the same initial parameters and discards the result: that JIT-compiles the engine's
 * and Spark's code (C2 spends several CPU seconds on it, competing with training on a small machine), so the timed
 * epoch measures the steady rate a long training run sees; 0 measures a cold JVM. blas times a 1024×1024×1024
 * sgemm on 1 and 2 threads.
 */
public final class Bench {
    private final ModelSpec spec;
    private final String model;
    private final int workers;
    private final int tau;
    private final int batch;
    private final int epochs;
    private final int evalEvery;
    private final double target;
    private final long seed;
    private final OptimizerConfig optimizer;
    private final int warmup;
    private final int reshuffleEvery;

    private Bench(Map<String, String> args) {
        this.model = args.getOrDefault("model", "lenet");
        this.spec = Presets.resolve(model);
        this.workers = Integer.parseInt(args.getOrDefault("workers", "2"));
        this.tau = Integer.parseInt(args.getOrDefault("tau", "5"));
        this.batch = Integer.parseInt(args.getOrDefault("batch", "64"));
        this.epochs = Integer.parseInt(args.getOrDefault("epochs", "1"));
        this.evalEvery = Integer.parseInt(args.getOrDefault("eval-every", "100"));
        this.target = Double.parseDouble(args.getOrDefault("target", "0.88"));
        this.seed = Long.parseLong(args.getOrDefault("seed", "1"));
        this.warmup = Integer.parseInt(args.getOrDefault("warmup-images", "-1"));   // -1: the whole training set
        this.reshuffleEvery = Integer.parseInt(args.getOrDefault("reshuffle-every", "1"));
        this.optimizer = new OptimizerConfig(OptimizerConfig.Kind.NESTEROV,
                LearningRate.constant(Double.parseDouble(args.getOrDefault("lr", "0.01"))),
                Double.parseDouble(args.getOrDefault("momentum", "0.9")), 0.9, 0.999, 1e-8, 0);
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parse(argv);
        if (args.containsKey("summarize")) {
            BenchSummary.write(Path.of(args.get("summarize")));
            return;
        }
        Bench b = new Bench(args);
        String engine = required(args, "engine");
        Path result = Path.of(required(args, "result"));
        if (engine.equals("blas")) {
            b.sgemm(result);
            return;
        }
        String data = required(args, "data");
        int trainLimit = Integer.parseInt(args.getOrDefault("train-limit", "0"));
        BenchResult r = switch (engine) {
            case "native-1" -> b.runNative(engine, data, trainLimit, 1);
            case "native-2" -> b.runNative(engine, data, trainLimit, b.workers);
            case "dl4j" -> b.runDl4j(engine, loadTrain(data, trainLimit), ImageArray.load(Path.of(data), false));
            case "dl4j-spark" -> b.runDl4jSpark(engine, loadTrain(data, trainLimit),
                    ImageArray.load(Path.of(data), false));
            default -> throw new IllegalArgumentException("unknown engine " + engine
                    + " (native-1, native-2, dl4j, dl4j-spark or blas)");
        };
        BenchResult withRss = new BenchResult(r.engine(), r.model(), r.workers(), r.tau(), r.cores(), r.trainImages(),
                r.trainSeconds(), r.testAccuracy(), r.secondsToTarget(), peakRssMb(), r.overheadShare(), r.rounds(),
                r.medianOverheadMs());
        withRss.write(result);
        System.out.printf(Locale.ROOT, "%s: %d images in %.1f s (%.1f images/s), test accuracy %.4f, "
                        + "%.0f MiB peak RSS%n", engine, r.trainImages(), r.trainSeconds(), r.imagesPerSecond(),
                r.testAccuracy(), withRss.peakRssMb());
        System.exit(0);       // DL4J and Spark leave non-daemon threads behind
    }

    /** The training set in this JVM, for the DL4J peers (our engine's executors read their own shards). */
    private static ImageArray loadTrain(String data, int limit) throws java.io.IOException {
        ImageArray train = ImageArray.load(Path.of(data), true);
        return limit > 0 ? train.limit(limit) : train;
    }

    private float[] initialParams() {
        return new Network(spec).initialize(seed).params().toFloatVector();
    }

    private static SparkConf sparkConf(String master) {
        return new SparkConf().setMaster(master).setAppName("spark-cnn-bench")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
    }

    /**
     * Our engine on local[cores] (cores = the workers setting, the cores every engine gets) with w workers, each
     * task of cores/w cores, with the command line's engine settings ({@link EngineConf}).
     */
    private BenchResult runNative(String engine, String data, int trainLimit, int w) throws java.io.IOException {
        SparkConf conf = EngineConf.apply(sparkConf("local[" + workers + "]"))
                .set("spark.task.cpus", Integer.toString(Math.max(1, workers / w)));
        IdxSource trainSource = IdxSource.open(data, true, trainLimit);
        IdxSource testSource = IdxSource.open(data, false, 0);
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            TrainingPlan plan = new TrainingPlan(spec, optimizer, w, tau, 0, batch, epochs, seed, true);
            ParameterAveraging pa = new ParameterAveraging(sc, plan);
            TrainingData trainData = new TrainingData(sc, trainSource, w, spec.outputs(), seed, reshuffleEvery, epochs);
            Shards testBc = Shards.place(sc, testSource, w, spec.outputs(), Layout.sourceOrder(testSource.size()));
            int evalRounds = Math.max(1, evalEvery / (w * tau));
            AccuracyClock clock = new AccuracyClock(target);
            // training time = the whole loop's wall time minus the evaluations (the driver's time between rounds
            // counts); the overhead share is the rounds' own: (wall - slowest worker's compute) / wall
            double[] totals = new double[5];       // round wall, overhead, examples, rounds, evaluation seconds
            if (warmup != 0) {
                int images = warmup < 0 ? (int) trainSource.size() : (int) Math.min(warmup, trainSource.size());
                try (TrainingData warm = new TrainingData(sc, IdxSource.open(data, true, images), w, spec.outputs(),
                        seed, reshuffleEvery, epochs)) {
                    pa.train(warm, pa.initialState(initialParams()), new ParameterAveraging.Listener() { });
                }
            }
            List<Double> overheads = new ArrayList<>();
            long began = System.nanoTime();
            TrainingState end = pa.train(trainData, pa.initialState(initialParams()), new ParameterAveraging.Listener() {
                @Override
                public void onRound(RoundStats s, org.sparkcnn.spark.RoundEnd next, int rounds) {
                    totals[0] += s.wallSeconds();
                    totals[1] += s.overheadSeconds();
                    totals[2] += s.examples();
                    totals[3]++;
                    overheads.add(s.overheadSeconds() * 1000);
                    if ((s.round() + 1) % evalRounds == 0) {
                        long evalBegan = System.nanoTime();
                        double acc = accuracy(sc, next.state().params(), testBc);
                        totals[4] += (System.nanoTime() - evalBegan) / 1e9;
                        clock.record((System.nanoTime() - began) / 1e9 - totals[4], acc);
                    }
                }
            });
            double trainSeconds = (System.nanoTime() - began) / 1e9 - totals[4];
            double accuracy = accuracy(sc, end.params(), testBc);
            trainData.close();
            clock.record(trainSeconds, accuracy);
            return new BenchResult(engine, model, w, tau, workers, (long) totals[2], trainSeconds, accuracy,
                    clock.reachedAt(), 0, totals[1] / totals[0], (long) totals[3], median(overheads));
        }
    }

    /** DL4J's MultiLayerNetwork.fit on our minibatches, in our order, one process with {@code workers} threads. */
    private BenchResult runDl4j(String engine, ImageArray train, ImageArray test) {
        NativeThreads.limit(workers);
        if (warmup != 0) {
            MultiLayerNetwork warm = dl4jNetwork();
            int[] order = DataOrder.permutation(train.size(), seed, 0);
            for (int from = 0; from + batch <= warmupImages(train); from += batch) {
                warm.fit(Dl4jData.batch(train, spec.outputs(), order, from, batch));
            }
        }
        MultiLayerNetwork net = dl4jNetwork();
        AccuracyClock clock = new AccuracyClock(target);
        int n = train.size();
        double seconds = 0;
        long examples = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = DataOrder.permutation(n, seed, epoch);
            int batches = DataOrder.batches(n, batch);
            for (int b = 0; b < batches; b++) {
                int count = Math.min(batch, n - b * batch);
                long began = System.nanoTime();
                net.fit(Dl4jData.batch(train, spec.outputs(), order, b * batch, count));
                seconds += (System.nanoTime() - began) / 1e9;
                examples += count;
                if ((b + 1) % evalEvery == 0) {
                    clock.record(seconds, accuracy(Dl4jModels.fromNetwork(spec, net), test));
                }
            }
        }
        double accuracy = accuracy(Dl4jModels.fromNetwork(spec, net), test);
        clock.record(seconds, accuracy);
        return new BenchResult(engine, model, 1, 0, workers, examples, seconds, accuracy, clock.reachedAt(), 0,
                Double.NaN, 0, Double.NaN);
    }

    /** A DL4J network of our spec and optimizer, from our initial parameters. */
    private MultiLayerNetwork dl4jNetwork() {
        return Dl4jModels.toNetwork(Dl4jModels.configuration(spec, seed, Dl4jModels.updater(optimizer)), spec,
                Nd4j.createFromArray(initialParams()));
    }

    /** DL4J's Spark trainer on local[workers], evaluated by our distributed evaluation. */
    private BenchResult runDl4jSpark(String engine, ImageArray train, ImageArray test) {
        try (JavaSparkContext sc = new JavaSparkContext(
                Dl4jSparkEngine.configure(EngineConf.apply(sparkConf("local[" + workers + "]"))))) {
            TrainingPlan plan = new TrainingPlan(spec, optimizer, workers, tau, 0, batch, epochs, seed, true);
            Shards testBc = Shards.place(sc, new ArraySource(test, "test set"), workers, spec.outputs(),
                    Layout.sourceOrder(test.size()));
            AccuracyClock clock = new AccuracyClock(target);
            int evalRounds = Math.max(1, evalEvery / (workers * tau));
            if (warmup != 0) {
                new Dl4jSparkEngine(sc, plan).train(train.limit(warmupImages(train)), initialParams());
            }
            Dl4jSparkEngine.Result r = new Dl4jSparkEngine(sc, plan).train(train, initialParams(), evalRounds,
                    (epoch, averagings, examples, seconds, params) -> clock.record(seconds, accuracy(sc, params, testBc)));
            double accuracy = clock.last();
            return new BenchResult(engine, model, workers, tau, workers, r.examples(), r.trainSeconds(), accuracy,
                    clock.reachedAt(), 0, Double.NaN, 0, Double.NaN);
        }
    }

    private int warmupImages(ImageArray train) {
        return warmup < 0 ? train.size() : Math.min(warmup, train.size());
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int m = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
    }

    private double accuracy(JavaSparkContext sc, float[] params, Shards test) {
        return Metrics.of(DistributedEvaluation.evaluate(sc, spec, params, test)).accuracy();
    }

    private double accuracy(float[] params, ImageArray test) {
        Network net = new Network(spec);
        net.params().assign(Nd4j.createFromArray(params));
        return Metrics.of(Evaluator.evaluate(net, test, 0, test.size(), 250)).accuracy();
    }

    /** GFLOP/s of a 1024×1024×1024 float gemm (2·1024³ flops) on 1 and 2 threads: best of 5 after 2 warm-ups. */
    private void sgemm(Path result) throws IOException {
        Properties p = new Properties();
        int size = 1024;
        INDArray a = Nd4j.rand(DataType.FLOAT, size, size);
        INDArray b = Nd4j.rand(DataType.FLOAT, size, size);
        INDArray c = Nd4j.zeros(DataType.FLOAT, size, size);
        for (int threads : List.of(1, 2)) {
            NativeThreads.limit(threads);
            double best = Double.MAX_VALUE;
            for (int rep = 0; rep < 7; rep++) {
                long began = System.nanoTime();
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
                double s = (System.nanoTime() - began) / 1e9;
                if (rep >= 2) {
                    best = Math.min(best, s);
                }
            }
            double gflops = 2.0 * size * size * size / best / 1e9;
            p.setProperty("sgemm_gflops_" + threads, BenchResult.num(gflops));
            System.out.printf(Locale.ROOT, "sgemm 1024^3 on %d thread(s): %.1f GFLOP/s%n", threads, gflops);
        }
        Files.createDirectories(result.toAbsolutePath().getParent());
        try (var w = Files.newBufferedWriter(result)) {
            p.store(w, null);
        }
    }

    /** VmHWM of this process in MiB (Linux), NaN elsewhere. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + argv[i] + "'");
            }
            m.put(argv[i].substring(2), argv[++i]);
        }
        return m;
    }

    private static String required(Map<String, String> args, String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    /** Training seconds at which the test accuracy first reached the target, from evaluations during training. */
    static final class AccuracyClock {
        private final double target;
        private double reachedAt = Double.NaN;
        private double last = Double.NaN;

        AccuracyClock(double target) {
            this.target = target;
        }

        void record(double trainSeconds, double accuracy) {
            last = accuracy;
            if (Double.isNaN(reachedAt) && accuracy >= target) {
                reachedAt = trainSeconds;
            }
        }

        double reachedAt() {
            return reachedAt;
        }

        double last() {
            return last;
        }
    }
}
