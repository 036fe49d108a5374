package org.sparkcnn.spark.ml;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.spark.LocalSpark;
import org.sparkcnn.spark.api.SparkCnn;
import org.sparkcnn.spark.api.TrainingInput;
import org.sparkcnn.spark.cli.Main;
import org.sparkcnn.spark.io.MetricsReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * spark.ml on the bundled MNIST sample read as a DataFrame of 784 pixel columns: a Pipeline of VectorAssembler and
 * CnnClassifier, evaluated with MulticlassClassificationEvaluator, saved and loaded; the same model, bit for bit,
 * as {@code spark-cnn train} with the same settings on the IDX files.
 */
class CnnClassifierTest {
    static final Path SAMPLE = Path.of("..", "data", "mnist-sample");
    @TempDir
    static Path tmp;
    static byte[] cliModel;
    static double cliAccuracy;
    static SparkSession spark;
    static Dataset<Row> train;
    static Dataset<Row> test;
    static PipelineModel fitted;

    @BeforeAll
    static void trainBothWays() throws Exception {
        // the command line first: it starts and stops its own Spark session
        Path out = tmp.resolve("cli");
        assertEquals(0, Main.run("train", "--workers", "2", "--master", "local[2]", "--out", out.toString(),
                "--progress", "none"));
        cliModel = Files.readAllBytes(out.resolve("model.scnn"));
        Map<String, Object> m = MetricsReport.parse(Files.readAllBytes(out.resolve("metrics.json")));
        cliAccuracy = ((Number) m.get("accuracy")).doubleValue();

        spark = SparkSession.builder().sparkContext(LocalSpark.start("local[2]").sc()).getOrCreate();
        train = pixelColumns(ImageArray.load(SAMPLE, true));
        test = pixelColumns(ImageArray.load(SAMPLE, false));
        fitted = pipeline().fit(train);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** label (double) and p0..p783 (doubles in [0, 1]), in file order. */
    static Dataset<Row> pixelColumns(ImageArray images) {
        int per = images.shape().size();
        StructType schema = new StructType().add("label", DataTypes.DoubleType);
        for (int k = 0; k < per; k++) {
            schema = schema.add("p" + k, DataTypes.DoubleType);
        }
        List<Row> rows = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            Object[] values = new Object[per + 1];
            values[0] = (double) images.label(i);
            for (int k = 0; k < per; k++) {
                values[k + 1] = (images.pixels()[i * per + k] & 0xFF) / 255.0;
            }
            rows.add(RowFactory.create(values));
        }
        return spark.createDataFrame(rows, schema);
    }

    static String[] pixelNames() {
        String[] names = new String[784];
        for (int k = 0; k < names.length; k++) {
            names[k] = "p" + k;
        }
        return names;
    }

    static Pipeline pipeline() {
        VectorAssembler assembler = new VectorAssembler().setInputCols(pixelNames()).setOutputCol("features");
        CnnClassifier cnn = new CnnClassifier().setWorkers(2);             // every other param at its default
        return new Pipeline().setStages(new PipelineStage[] {assembler, cnn});
    }

    static CnnClassificationModel cnn(PipelineModel m) {
        return (CnnClassificationModel) m.stages()[1];
    }

    @Test
    void pipelineReaches97PercentAndMatchesOwnEvaluationAndTheCommandLineBitForBit() {
        Dataset<Row> predicted = fitted.transform(test);
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predicted);
        assertTrue(accuracy >= 0.97, "accuracy " + accuracy);
        CnnClassificationModel model = cnn(fitted);
        Metrics own = SparkCnn.evaluate(spark, TrainingInput.directory(SAMPLE.toString()), false, model.spec(),
                model.parameters(), 2);
        assertEquals(own.accuracy(), accuracy, 0.0);
        assertArrayEquals(cliModel, model.modelFileBytes());
        assertEquals(cliAccuracy, accuracy, 0.0);
        Row first = predicted.select("rawPrediction", "probability", "prediction").head();
        Vector p = first.getAs(1);
        assertEquals(10, p.size());
        double sum = 0;
        for (double v : p.toArray()) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-5);
        assertEquals((double) ((Vector) first.getAs(0)).argmax(), first.getDouble(2), 0.0);
    }

    @Test
    void savedAndLoadedPipelinePredictsTheSame() throws Exception {
        String path = tmp.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        assertArrayEquals(cnn(fitted).modelFileBytes(), cnn(loaded).modelFileBytes());
        assertEquals(cnn(fitted).uid(), cnn(loaded).uid());
        List<Row> a = fitted.transform(test).select("prediction", "probability").collectAsList();
        List<Row> b = loaded.transform(test).select("prediction", "probability").collectAsList();
        assertEquals(a, b);
        assertTrue(Files.exists(Path.of(path, "stages")));

        String modelPath = tmp.resolve("model").toString();
        cnn(fitted).setProbabilityCol("p").write().save(modelPath);
        CnnClassificationModel alone = CnnClassificationModel.load(modelPath);
        assertEquals("p", alone.getProbabilityCol());
        cnn(fitted).setProbabilityCol("probability");
        assertTrue(Files.readString(Path.of(modelPath, "metadata", "part-00000"))
                .contains("\"class\":\"org.sparkcnn.spark.ml.CnnClassificationModel\""));

        String estimatorPath = tmp.resolve("estimator").toString();
        new CnnClassifier().setMaxEpochs(3).setModelSpec("tf-mnist").setAugment("shift2,flip").setLabelSmoothing(0.1)
                .write().save(estimatorPath);
        CnnClassifier back = CnnClassifier.load(estimatorPath);
        assertEquals(3, back.getMaxEpochs());
        assertEquals("shift2,flip", back.getAugment());
        assertEquals(0.1, back.getLabelSmoothing(), 0);
        assertEquals("shift2,flip", back.config().plan(1).transforms().augmentation().toText());
        assertEquals("tf-mnist", back.getModelSpec());
        assertEquals(64, back.getBatchSize());
    }

    @Test
    void wrongColumnTypeOrShapeNamesTheColumnItsTypeAndTheExpectedOne() {
        Dataset<Row> text = train.selectExpr("label", "cast(p0 as string) as features");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CnnClassifier().fit(text));
        assertTrue(e.getMessage().contains("column features has type string; expected an ml.linalg.Vector, "
                + "array<float> or array<double> of 784 values (1x28x28, inputShape)"), e.getMessage());

        Dataset<Row> small = new VectorAssembler().setInputCols(new String[] {"p0", "p1", "p2"})
                .setOutputCol("features").transform(train.limit(10));
        e = assertThrows(IllegalArgumentException.class, () -> new CnnClassifier().fit(small));
        assertTrue(e.getMessage().contains("column features holds vectors of 3 values; expected"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cnn(fitted).transform(small));
        assertTrue(e.getMessage().contains("column features holds vectors of 3 values"), e.getMessage());

        Dataset<Row> textLabels = new VectorAssembler().setInputCols(pixelNames()).setOutputCol("features")
                .transform(train.limit(10)).selectExpr("cast(label as string) as label", "features");
        e = assertThrows(IllegalArgumentException.class, () -> new CnnClassifier().fit(textLabels));
        assertTrue(e.getMessage().contains("column label has type string; expected a numeric label column"),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new CnnClassifier().setUpdater("rmsprop"));
        assertTrue(e.getMessage().contains("updater"), e.getMessage());
    }

    @Test
    void rawPixelValuesWithInputScale255GiveTheSamePredictions() {
        Dataset<Row> assembled = new VectorAssembler().setInputCols(pixelNames()).setOutputCol("features")
                .transform(test.limit(300));
        StringBuilder scaled = new StringBuilder("label");
        for (String p : pixelNames()) {
            scaled.append(",").append(p).append(" * 255 as ").append(p);
        }
        Dataset<Row> raw = new VectorAssembler().setInputCols(pixelNames()).setOutputCol("features")
                .transform(test.limit(300).selectExpr(scaled.toString().split(",")));
        CnnClassificationModel m = cnn(fitted);
        List<Row> unit = m.transform(assembled).select("prediction").collectAsList();
        List<Row> bytes = m.copy(new org.apache.spark.ml.param.ParamMap()).setInputScale(255).transform(raw)
                .select("prediction").collectAsList();
        assertEquals(unit, bytes);
        assertThrows(Exception.class, () -> m.transform(raw).select("prediction").collectAsList());
    }

    @Test
    void transformSchemaAppendsTheOutputColumnsAndHonoursEmptyNames() {
        StructType in = new VectorAssembler().setInputCols(pixelNames()).setOutputCol("features")
                .transform(test.limit(1)).schema();
        CnnClassificationModel m = cnn(fitted).copy(new org.apache.spark.ml.param.ParamMap());
        StructType out = m.setRawPredictionCol("").transformSchema(in);
        assertEquals(in.size() + 2, out.size());
        assertEquals("prediction", out.fieldNames()[out.size() - 1]);
        assertEquals("probability", out.fieldNames()[out.size() - 2]);
        assertEquals(2, JavaSparkContext.fromSparkContext(spark.sparkContext()).defaultParallelism());
    }
}
