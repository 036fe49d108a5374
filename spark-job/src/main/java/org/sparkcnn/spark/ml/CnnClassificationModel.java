package org.sparkcnn.spark.ml;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.spark.data.PixelScale;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A trained CNN classifier as a spark.ml model: {@code transform} appends the raw prediction (logits, a Vector), the
 * class probabilities (a Vector) and the predicted class (a double) to every row, computed on the executors in
 * batches per partition from one broadcast of the parameters. Its output works with
 * {@code MulticlassClassificationEvaluator}. Saved in MLlib's layout: {@code metadata/} (the params as JSON) and
 * {@code data/} (one Parquet row holding the model.scnn bytes), on any Hadoop path; {@code PipelineModel} saves and
 * loads it.
 */
public final class CnnClassificationModel extends Model<CnnClassificationModel>
        implements CnnColumnParams, MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final ColumnParams columns;
    private final ModelSpec spec;
    private final float[] params;
    private transient Broadcast<float[]> broadcast;

    /** A model of {@code spec} with the flat parameter vector {@code params}. */
    public CnnClassificationModel(String uid, ModelSpec spec, float[] params) {
        if (params.length != spec.paramCount()) {
            throw new IllegalArgumentException("the spec has " + spec.paramCount() + " parameters, the vector "
                    + params.length);
        }
        this.uid = uid;
        this.columns = new ColumnParams(this);
        this.spec = spec;
        this.params = params.clone();
        setColumnDefaults();
        set(inputShape(), spec.input().toString());
    }

    /**
     * An untrained placeholder, for Spark Connect's service loading of ML stages only (it instantiates every
     * registered stage); {@code transform} refuses it.
     */
    public CnnClassificationModel() {
        this.uid = Identifiable.randomUID("cnnClassifier");
        this.columns = new ColumnParams(this);
        this.spec = null;
        this.params = new float[0];
        setColumnDefaults();
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public ColumnParams columnParams() {
        return columns;
    }

    /** The architecture. */
    public ModelSpec spec() {
        return spec;
    }

    /** A copy of the trained parameters, one flat vector in the spec's layout. */
    public float[] parameters() {
        return params.clone();
    }

    /** K, the number of classes. */
    public int numClasses() {
        return spec.outputs();
    }

    public CnnClassificationModel setFeaturesCol(String v) {
        set(featuresCol(), v);
        return this;
    }

    public CnnClassificationModel setPredictionCol(String v) {
        set(predictionCol(), v);
        return this;
    }

    public CnnClassificationModel setProbabilityCol(String v) {
        set(probabilityCol(), v);
        return this;
    }

    public CnnClassificationModel setRawPredictionCol(String v) {
        set(rawPredictionCol(), v);
        return this;
    }

    public CnnClassificationModel setInputScale(double v) {
        set(inputScale(), v);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (spec == null) {
            throw new IllegalStateException(uid + " is an untrained placeholder; fit a CnnClassifier or load a model");
        }
        if (!inputShapeValue().equals(spec.input())) {
            throw new IllegalArgumentException(uid + ": inputShape is " + getInputShape() + " but the model takes "
                    + spec.input());
        }
        ColumnSchema.features(schema, getFeaturesCol(), spec.input(), uid);
        return ColumnSchema.withOutputs(schema, getRawPredictionCol(), getProbabilityCol(), getPredictionCol(), uid);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        Dataset<Row> rows = dataset.toDF();
        FeatureValues features = new FeatureValues(getFeaturesCol(), rows.schema().fieldIndex(getFeaturesCol()),
                spec.input(), new PixelScale(getInputScale()));
        PredictRows predict = new PredictRows(spec, parametersOn(JavaSparkContext.fromSparkContext(
                dataset.sparkSession().sparkContext())), features, !getRawPredictionCol().isEmpty(),
                !getProbabilityCol().isEmpty(), !getPredictionCol().isEmpty());
        return rows.mapPartitions(predict, Encoders.row(out));
    }

    /** The parameters as one broadcast, made on the first transform and reused by the later ones. */
    private synchronized Broadcast<float[]> parametersOn(JavaSparkContext sc) {
        if (broadcast == null || !broadcast.isValid()) {
            broadcast = sc.broadcast(params);
        }
        return broadcast;
    }

    @Override
    public CnnClassificationModel copy(ParamMap extra) {
        CnnClassificationModel copy = new CnnClassificationModel(uid, spec, params);
        copyValues(copy, extra);
        return copy.setParent(parent());
    }

    /** The model in the model.scnn format ({@link ModelFile}). */
    public byte[] modelFileBytes() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            ModelFile.writeTo(b, spec, Nd4j.createFromArray(params));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    @Override
    public MLWriter write() {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                StageMetadata.save(CnnClassificationModel.this, sc(), path);
                StructType schema = new StructType().add("model", DataTypes.BinaryType, false);
                sparkSession().createDataFrame(List.of(RowFactory.create((Object) modelFileBytes())), schema)
                        .repartition(1).write().parquet(path + "/data");
            }
        };
    }

    /** Reads a saved model. PipelineModel.load calls this by reflection. */
    public static MLReader<CnnClassificationModel> read() {
        return new MLReader<>() {
            @Override
            public CnnClassificationModel load(String path) {
                StageMetadata m = StageMetadata.load(sc(), path, CnnClassificationModel.class);
                byte[] bytes = sparkSession().read().parquet(path + "/data").head().getAs(0);
                ModelFile.Model file;
                try {
                    file = ModelFile.readFrom(new ByteArrayInputStream(bytes), path + "/data");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                CnnClassificationModel model = new CnnClassificationModel(m.uid(), file.spec(),
                        file.params().toFloatVector());
                m.applyTo(model);
                return model;
            }
        };
    }

    public static CnnClassificationModel load(String path) {
        return read().load(path);
    }

    @Override
    public String toString() {
        return uid + " (" + (spec == null ? "untrained" : spec.toText() + ", " + spec.paramCount() + " parameters")
                + ")";
    }
}
