package org.sparkcnn.dl4jspark;

import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.spark.KryoRegistrator;
import org.sparkcnn.spark.NativeThreads;
import org.sparkcnn.spark.TrainingPlan;
import org.sparkcnn.tools.dl4j.Dl4jModels;
import org.sparkcnn.tools.dl4j.Dl4jData;

import java.util.ArrayList;
import java.util.List;

/**
 * The same training run as {@link org.sparkcnn.spark.ParameterAveraging}, done by Deeplearning4j's own Spark
 * trainer: {@link SparkDl4jMultiLayer} with a {@link ParameterAveragingTrainingMaster} for N workers, τ local
 * steps between averagings ({@code averagingFrequency}), minibatches of B, updater state averaged too. The
 * architecture is {@link Dl4jModels#configuration} of the plan's spec, the updater {@link Dl4jModels#updater} of
 * its optimizer, the data our minibatches ({@link Dl4jData}): each epoch our seeded permutation cut into batches
 * of B, one {@link DataSet} per batch. DL4J then deals these at random to its averaging rounds ("splits") and
 * repartitions each round's N·τ batches evenly over N partitions ({@link RepartitionStrategy#Balanced}), so its
 * data order differs from ours although the data and the number of steps per round do not.
 *
 * <p>Serialization. DL4J ships {@code DataSet}s, its configuration and INDArrays between driver and executors;
 * Kryo needs a serializer for INDArrays (off-heap data) and DL4J checks for one at start-up. The 1.0.0-M2
 * nd4j-kryo jar lacks its {@code org.nd4j.kryo.Nd4jRegistrator}, so {@link #configure} sets Kryo with
 * {@code spark.kryo.registrator=org.sparkcnn.spark.KryoRegistrator,org.sparkcnn.dl4jspark.Nd4jKryoRegistrator}
 * and {@code spark.kryo.registrationRequired=false} (DL4J's many classes are not registered); our own classes
 * keep their compact serializers. Java serialization also works but ships whole DataSets as Java objects.
 *
 * <p>Not supported (refused in the constructor): warm-up epochs with τ = 1 and per-worker optimizer state, which
 * this trainer has no switch for. The learning-rate schedule and Adam's bias correction follow DL4J's iteration
 * counter, which is not our global iteration.
 */
public final class Dl4jSparkEngine {

    /**
     * What a run returns.
     *
     * @param params       the trained parameters as our flat vector
     * @param trainSeconds wall time inside DL4J's {@code fit} calls (listener time excluded)
     * @param examples     training examples processed
     * @param averagings   averaging rounds run
     */
    public record Result(float[] params, double trainSeconds, long examples, long averagings) { }

    /** Called after each chunk of rounds with the model as it is (for evaluation during training). */
    public interface Listener {
        void onChunk(int epoch, long averagings, long examples, double trainSeconds, float[] params);
    }

    private final JavaSparkContext sc;
    private final TrainingPlan plan;
    private final IUpdater updater;

    public Dl4jSparkEngine(JavaSparkContext sc, TrainingPlan plan) {
        if (plan.warmupEpochs() > 0) {
            throw new IllegalArgumentException("DL4J's parameter averaging has no warm-up with tau = 1");
        }
        if (!plan.averageUpdater()) {
            throw new IllegalArgumentException("DL4J's parameter averaging always averages the updater state");
        }
        this.sc = sc;
        this.plan = plan;
        this.updater = Dl4jModels.updater(plan.optimizer());
    }

    /** {@code conf} set up for this engine: Kryo with our and the ND4J registrator, registration not required. */
    public static SparkConf configure(SparkConf conf) {
        return conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", KryoRegistrator.class.getName() + ","
                        + Nd4jKryoRegistrator.class.getName())
                .set("spark.kryo.registrationRequired", "false");
    }

    /** Trains all epochs from {@code initial} in one {@code fit} per epoch. */
    public Result train(ImageArray data, float[] initial) {
        return train(data, initial, Integer.MAX_VALUE, (epoch, averagings, examples, seconds, params) -> { });
    }

    /**
     * Trains all epochs from {@code initial}, calling {@code listener} after every {@code roundsPerChunk}
     * averaging rounds (one {@code fit} per chunk; DL4J keeps parameters and updater state between fits).
     */
    public Result train(ImageArray data, float[] initial, int roundsPerChunk, Listener listener) {
        int workers = plan.workers();
        int batch = plan.batchSize();
        int tau = plan.localSteps();
        MultiLayerConfiguration conf = Dl4jModels.configuration(plan.spec(), plan.seed(), updater);
        MultiLayerNetwork net = Dl4jModels.toNetwork(conf, plan.spec(), Nd4j.createFromArray(initial));
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(tau)
                .workerPrefetchNumBatches(0)
                .saveUpdater(true)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Always)
                .repartitionStrategy(RepartitionStrategy.Balanced)
                .rngSeed(plan.seed())
                .build();
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, net, master);
        Broadcast<ImageArray> bc = sc.broadcast(data);
        int n = data.size();
        int batches = DataOrder.batches(n, batch);
        long perRound = (long) workers * tau;
        int chunk = (int) Math.min(batches, Math.max(1, (long) roundsPerChunk * perRound));
        double seconds = 0;
        long examples = 0;
        long averagings = 0;
        try {
            for (int epoch = 0; epoch < plan.epochs(); epoch++) {
                Broadcast<int[]> order = sc.broadcast(DataOrder.permutation(n, plan.seed(), epoch));
                for (int first = 0; first < batches; first += chunk) {
                    int last = Math.min(batches, first + chunk);
                    List<Integer> ids = new ArrayList<>();
                    for (int b = first; b < last; b++) {
                        ids.add(b);
                    }
                    JavaRDD<DataSet> rdd = sc.parallelize(ids, workers).map(new ToDataSet(bc, order, batch, plan.spec().outputs()));
                    long began = System.nanoTime();
                    spark.fit(rdd);
                    seconds += (System.nanoTime() - began) / 1e9;
                    rdd.unpersist(false);
                    examples += Math.min((long) last * batch, n) - (long) first * batch;
                    averagings += (last - first + perRound - 1) / perRound;
                    listener.onChunk(epoch, averagings, examples, seconds,
                            Dl4jModels.fromNetwork(plan.spec(), spark.getNetwork()));
                }
                order.destroy();
            }
            return new Result(Dl4jModels.fromNetwork(plan.spec(), spark.getNetwork()), seconds, examples, averagings);
        } finally {
            bc.destroy();
        }
    }

    /** Executor side: batch b of the epoch's order as a DataSet of up to B examples. */
    static final class ToDataSet implements Function<Integer, DataSet> {
        private final Broadcast<ImageArray> data;
        private final Broadcast<int[]> order;
        private final int batch;

        private final int classes;

        ToDataSet(Broadcast<ImageArray> data, Broadcast<int[]> order, int batch, int classes) {
            this.classes = classes;
            this.data = data;
            this.order = order;
            this.batch = batch;
        }

        @Override
        public DataSet call(Integer b) {
            TaskContext ctx = TaskContext.get();
            NativeThreads.limit(ctx == null ? 1 : Math.max(1, ctx.cpus()));
            ImageArray d = data.value();
            int from = b * batch;
            return Dl4jData.batch(d, classes, order.value(), from, Math.min(batch, d.size() - from));
        }
    }
}
