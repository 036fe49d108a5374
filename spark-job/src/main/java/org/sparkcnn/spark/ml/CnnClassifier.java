package org.sparkcnn.spark.ml;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.core.Presets;
import org.sparkcnn.spark.api.ConfigException;
import org.sparkcnn.spark.api.SparkCnn;
import org.sparkcnn.spark.api.TrainingConfig;
import org.sparkcnn.spark.api.TrainingInput;
import org.sparkcnn.spark.api.TrainingResult;
import org.sparkcnn.spark.data.PixelScale;
import org.sparkcnn.spark.data.RowSource;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A spark.ml estimator that trains a CNN classifier with spark-cnn's distributed local SGD: {@code fit} reads the
 * label and features columns on the executors (the Dataset's partitions become N cached shards), trains with
 * parameter averaging every {@code localSteps} steps, and returns a {@link CnnClassificationModel}. Works inside a
 * {@code Pipeline}, e.g. after a {@code VectorAssembler}; saved and loaded in MLlib's layout.
 *
 * <p>Features are C·H·W pixel values in c-order (channel, row, column), in [0, 1] or, with
 * {@code setInputScale(255)}, raw 0–255; labels are whole numbers 0..K-1 of any numeric type, K being the model's
 * output units. The same settings give the same model as {@code spark-cnn train} on the same examples in the same
 * order, bit for bit.
 */
public final class CnnClassifier extends Estimator<CnnClassificationModel> implements CnnColumnParams, MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final ColumnParams columns;
    private final Param<String> labelCol;
    private final Param<String> modelSpec;
    private final IntParam workers;
    private final IntParam localSteps;
    private final IntParam batchSize;
    private final IntParam maxEpochs;
    private final DoubleParam stepSize;
    private final Param<String> updater;
    private final LongParam seed;
    private final Param<String> lrSchedule;
    private final DoubleParam lrWarmupEpochs;
    private final DoubleParam weightDecay;
    private final DoubleParam labelSmoothing;
    private final Param<String> augment;

    public CnnClassifier() {
        this(Identifiable.randomUID("cnnClassifier"));
    }

    public CnnClassifier(String uid) {
        this.uid = uid;
        columns = new ColumnParams(this);
        labelCol = new Param<>(this, "labelCol", "label column: numeric, whole values 0..K-1");
        modelSpec = new Param<>(this, "modelSpec", "lenet, tf-mnist, or a layer spec such as "
                + "conv5x5x20,maxpool2,dense500:relu,softmax10 (the input shape comes from inputShape)",
                (scala.Function1<String, Object>) s -> s != null && !s.isBlank());
        workers = new IntParam(this, "workers", "N workers, the shards trained in parallel; 0: the cluster's task "
                + "slots (defaultParallelism)", ParamValidators.gtEq(0));
        localSteps = new IntParam(this, "localSteps", "local SGD steps between two averagings (tau)",
                ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "examples per worker step", ParamValidators.gtEq(1));
        maxEpochs = new IntParam(this, "maxEpochs", "passes over the training set", ParamValidators.gtEq(1));
        stepSize = new DoubleParam(this, "stepSize", "learning rate", ParamValidators.gt(0));
        updater = new Param<>(this, "updater", "sgd, momentum, nesterov or adam",
                ParamValidators.inArray(new String[] {"sgd", "momentum", "nesterov", "adam"}));
        seed = new LongParam(this, "seed", "the run seed: initialization, data order and dropout derive from it");
        lrSchedule = new Param<>(this, "lrSchedule", "iterations (no decay unless configured), step or cosine",
                ParamValidators.inArray(new String[] {"iterations", "step", "cosine"}));
        lrWarmupEpochs = new DoubleParam(this, "lrWarmupEpochs", "linear learning-rate warm-up over the first epochs",
                ParamValidators.gtEq(0));
        weightDecay = new DoubleParam(this, "weightDecay", "decoupled weight decay (AdamW / SGDW)",
                ParamValidators.inRange(0, 1, true, false));
        labelSmoothing = new DoubleParam(this, "labelSmoothing", "training targets (1 - x) one-hot + x / K",
                ParamValidators.inRange(0, 1, true, false));
        augment = new Param<>(this, "augment", "augmentation of training images on the executors: none, or e.g. "
                + "shift2,rotate10,scale0.1,flip");
        setColumnDefaults();
        setDefault(labelCol, "label");
        setDefault(modelSpec, "lenet");
        setDefault(workers, 0);
        setDefault(localSteps, 5);
        setDefault(batchSize, 64);
        setDefault(maxEpochs, 5);
        setDefault(stepSize, 0.02);
        setDefault(updater, "nesterov");
        setDefault(seed, 1L);
        setDefault(lrSchedule, "iterations");
        setDefault(lrWarmupEpochs, 0.0);
        setDefault(weightDecay, 0.0);
        setDefault(labelSmoothing, 0.0);
        setDefault(augment, "none");
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public ColumnParams columnParams() {
        return columns;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> modelSpec() {
        return modelSpec;
    }

    public IntParam workers() {
        return workers;
    }

    public IntParam localSteps() {
        return localSteps;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public IntParam maxEpochs() {
        return maxEpochs;
    }

    public DoubleParam stepSize() {
        return stepSize;
    }

    public Param<String> updater() {
        return updater;
    }

    public LongParam seed() {
        return seed;
    }

    public Param<String> lrSchedule() {
        return lrSchedule;
    }

    public DoubleParam lrWarmupEpochs() {
        return lrWarmupEpochs;
    }

    public DoubleParam weightDecay() {
        return weightDecay;
    }

    public DoubleParam labelSmoothing() {
        return labelSmoothing;
    }

    public Param<String> augment() {
        return augment;
    }

    public String getLrSchedule() {
        return getOrDefault(lrSchedule);
    }

    public double getLrWarmupEpochs() {
        return (Double) getOrDefault(lrWarmupEpochs);
    }

    public double getWeightDecay() {
        return (Double) getOrDefault(weightDecay);
    }

    public double getLabelSmoothing() {
        return (Double) getOrDefault(labelSmoothing);
    }

    public String getAugment() {
        return getOrDefault(augment);
    }

    public String getLabelCol() {
        return getOrDefault(labelCol);
    }

    public String getModelSpec() {
        return getOrDefault(modelSpec);
    }

    public int getWorkers() {
        return (Integer) getOrDefault(workers);
    }

    public int getLocalSteps() {
        return (Integer) getOrDefault(localSteps);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    public int getMaxEpochs() {
        return (Integer) getOrDefault(maxEpochs);
    }

    public double getStepSize() {
        return (Double) getOrDefault(stepSize);
    }

    public String getUpdater() {
        return getOrDefault(updater);
    }

    public long getSeed() {
        return (Long) getOrDefault(seed);
    }

    public CnnClassifier setFeaturesCol(String v) {
        return with(featuresCol(), v);
    }

    public CnnClassifier setLabelCol(String v) {
        return with(labelCol, v);
    }

    public CnnClassifier setPredictionCol(String v) {
        return with(predictionCol(), v);
    }

    public CnnClassifier setProbabilityCol(String v) {
        return with(probabilityCol(), v);
    }

    public CnnClassifier setRawPredictionCol(String v) {
        return with(rawPredictionCol(), v);
    }

    public CnnClassifier setInputShape(String v) {
        return with(inputShape(), v);
    }

    public CnnClassifier setInputScale(double v) {
        return with(inputScale(), v);
    }

    public CnnClassifier setModelSpec(String v) {
        return with(modelSpec, v);
    }

    public CnnClassifier setWorkers(int v) {
        return with(workers, v);
    }

    public CnnClassifier setLocalSteps(int v) {
        return with(localSteps, v);
    }

    public CnnClassifier setBatchSize(int v) {
        return with(batchSize, v);
    }

    public CnnClassifier setMaxEpochs(int v) {
        return with(maxEpochs, v);
    }

    public CnnClassifier setStepSize(double v) {
        return with(stepSize, v);
    }

    public CnnClassifier setUpdater(String v) {
        return with(updater, v.toLowerCase(Locale.ROOT));
    }

    public CnnClassifier setSeed(long v) {
        return with(seed, v);
    }

    public CnnClassifier setLrSchedule(String v) {
        return with(lrSchedule, v.toLowerCase(Locale.ROOT));
    }

    public CnnClassifier setLrWarmupEpochs(double v) {
        return with(lrWarmupEpochs, v);
    }

    public CnnClassifier setWeightDecay(double v) {
        return with(weightDecay, v);
    }

    public CnnClassifier setLabelSmoothing(double v) {
        return with(labelSmoothing, v);
    }

    public CnnClassifier setAugment(String v) {
        return with(augment, v);
    }

    private <T> CnnClassifier with(Param<T> p, T v) {
        set(p, v);
        return this;
    }

    /**
     * The model spec as text, the input shape first: a preset name is expanded; a spec that names its own input
     * must name {@code inputShape}'s.
     */
    String specText() {
        String text = Presets.ALL.getOrDefault(getModelSpec().trim().toLowerCase(Locale.ROOT), getModelSpec()).trim();
        String input = "input" + getInputShape().trim();
        if (!text.toLowerCase(Locale.ROOT).startsWith("input")) {
            return input + "," + text;
        }
        String own = text.split("[,\\s]+", 2)[0].toLowerCase(Locale.ROOT);
        if (!own.equals(input)) {
            throw new IllegalArgumentException(uid + ": modelSpec starts with " + own + " but inputShape is "
                    + getInputShape() + "; set one to match the other");
        }
        return text;
    }

    /** The training configuration these params describe; a bad combination is refused naming the param. */
    TrainingConfig config() {
        try {
            return TrainingConfig.builder().model(specText()).workers(getWorkers()).localSteps(getLocalSteps())
                    .batch(getBatchSize()).epochs(getMaxEpochs()).lr(getStepSize()).updater(getUpdater())
                    .lrSchedule(getLrSchedule()).lrWarmupEpochs(getLrWarmupEpochs()).weightDecay(getWeightDecay())
                    .labelSmoothing(getLabelSmoothing()).augment(getAugment()).seed(getSeed()).build();
        } catch (ConfigException e) {
            Map<String, String> names = Map.of("model", "modelSpec", "batch", "batchSize", "epochs", "maxEpochs",
                    "lr", "stepSize");
            throw new IllegalArgumentException(uid + ": param " + names.getOrDefault(e.setting(), e.setting()) + ": "
                    + e.problem(), e);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String stage = uid;
        ColumnSchema.label(schema, getLabelCol(), stage);
        ColumnSchema.features(schema, getFeaturesCol(), inputShapeValue(), stage);
        config();
        return ColumnSchema.withOutputs(schema, getRawPredictionCol(), getProbabilityCol(), getPredictionCol(), stage);
    }

    /** Trains on {@code dataset}'s label and features columns; the Dataset is read by the executors. */
    @Override
    public CnnClassificationModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        Dataset<Row> rows = dataset.toDF().select(getLabelCol(), getFeaturesCol());
        TrainingInput input = TrainingInput.rows(rows, Optional.empty(),
                RowSource.Columns.of(getLabelCol(), getFeaturesCol()), new PixelScale(getInputScale()));
        TrainingResult r = SparkCnn.train(dataset.sparkSession(), input, config());
        CnnClassificationModel model = new CnnClassificationModel(uid, r.spec(), r.params());
        copyValues(model, extractParamMap());
        return model.setParent(this);
    }

    @Override
    public CnnClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                StageMetadata.save(CnnClassifier.this, sc(), path);
            }
        };
    }

    /** Reads a saved CnnClassifier (the params; an estimator has no data). Pipeline.load calls this. */
    public static MLReader<CnnClassifier> read() {
        return new MLReader<>() {
            @Override
            public CnnClassifier load(String path) {
                StageMetadata m = StageMetadata.load(sc(), path, CnnClassifier.class);
                CnnClassifier c = new CnnClassifier(m.uid());
                m.applyTo(c);
                return c;
            }
        };
    }

    public static CnnClassifier load(String path) {
        return read().load(path);
    }
}
