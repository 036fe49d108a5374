package org.sparkcnn.spark.data;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.spark.LocalSpark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Dataset of images, in every supported image column type, places exactly the shards the IDX files of the same
 * examples place (source order and a global reshuffle); bad schemas and bad rows fail in one line naming the
 * source, the row and the column.
 */
class RowSourceTest {
    static final Shape SHAPE = new Shape(3, 4, 5);
    static final int N = 37;
    static final int CLASSES = 10;
    static final String NAME = "test set";
    static final ImageArray DATA = ShardContents.random(N, SHAPE, CLASSES, 7);

    static JavaSparkContext sc;
    static SparkSession spark;
    static IdxSource idx;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        // three cores: an in-memory Dataset of 37 rows comes in three partitions
        sc = LocalSpark.start("local[3]");
        spark = Sources.session(sc);
        ShardContents.writeIdx(dir, DATA);
        idx = IdxSource.open(dir.toString(), true, 0);
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    /** The image column types, each with the value that stores example i's pixels. */
    enum Kind {
        BINARY(DataTypes.BinaryType),
        BYTE_ARRAY(DataTypes.createArrayType(DataTypes.ByteType)),
        FLOAT_ARRAY(DataTypes.createArrayType(DataTypes.FloatType)),
        DOUBLE_ARRAY(DataTypes.createArrayType(DataTypes.DoubleType)),
        DENSE_VECTOR(SQLDataTypes.VectorType()),
        SPARSE_VECTOR(SQLDataTypes.VectorType()),
        IMAGE_STRUCT(ImageSchema.columnSchema());

        final DataType type;

        Kind(DataType type) {
            this.type = type;
        }

        Object value(ImageArray d, int i) {
            int per = d.shape().size();
            byte[] px = Arrays.copyOfRange(d.pixels(), i * per, (i + 1) * per);
            double[] v = new double[per];
            for (int k = 0; k < per; k++) {
                v[k] = (px[k] & 0xff) / 255.0;
            }
            return switch (this) {
                case BINARY -> px;
                case BYTE_ARRAY -> px;
                case FLOAT_ARRAY -> {
                    float[] f = new float[per];
                    for (int k = 0; k < per; k++) {
                        f[k] = (px[k] & 0xff) / 255f;
                    }
                    yield f;
                }
                case DOUBLE_ARRAY -> v;
                case DENSE_VECTOR -> Vectors.dense(v);
                case SPARSE_VECTOR -> Vectors.dense(v).toSparse();
                case IMAGE_STRUCT -> {
                    Shape s = d.shape();
                    int plane = s.height() * s.width();
                    byte[] bgr = new byte[per];
                    for (int c = 0; c < 3; c++) {
                        for (int p = 0; p < plane; p++) {
                            bgr[p * 3 + (2 - c)] = px[c * plane + p];
                        }
                    }
                    yield RowFactory.create("file:/img" + i + ".png", s.height(), s.width(), 3, 16, bgr);
                }
            };
        }
    }

    static Dataset<Row> dataset(DataType imageType, IntFunction<Row> row) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            rows.add(row.apply(i));
        }
        StructType schema = new StructType().add("label", DataTypes.IntegerType).add("image", imageType);
        return spark.createDataFrame(rows, schema);
    }

    static Dataset<Row> dataset(Kind kind) {
        return dataset(kind.type, i -> RowFactory.create(DATA.label(i), kind.value(DATA, i)));
    }

    static RowSource source(Dataset<Row> rows, long limit) {
        return RowSource.of(rows, RowSource.Columns.of("label", "image"), SHAPE, NAME, limit);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyImageTypePlacesTheShardsOfTheIdxFiles(Kind kind) {
        RowSource rows = source(dataset(kind), 0);
        assertEquals(3, rows.read(sc, 2, CLASSES).getNumPartitions());
        assertEquals(N, rows.size());
        for (Layout layout : List.of(Layout.sourceOrder(N), Layout.shuffled(N, 42, 1))) {
            ShardContents expected = ShardContents.place(sc, idx, 2, CLASSES, layout);
            ShardContents got = ShardContents.place(sc, rows, 2, CLASSES, layout);
            assertEquals(N, got.examples());
            assertTrue(got.sameAs(expected), kind + " under " + layout);
        }
    }

    @Test
    void doubleLabelsAndRawPixelValuesPlaceTheSameShards() {
        StructType schema = new StructType().add("label", DataTypes.DoubleType)
                .add("image", DataTypes.createArrayType(DataTypes.DoubleType));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            double[] raw = new double[SHAPE.size()];
            for (int k = 0; k < raw.length; k++) {
                raw[k] = DATA.pixels()[i * SHAPE.size() + k] & 0xFF;      // 0..255, as many data sets store them
            }
            rows.add(RowFactory.create((double) DATA.label(i), raw));
        }
        Dataset<Row> ds = spark.createDataFrame(rows, schema);
        RowSource raw = RowSource.of(ds, RowSource.Columns.of("label", "image"), SHAPE, new PixelScale(255), NAME, 0);
        assertTrue(ShardContents.place(sc, raw, 2, CLASSES, Layout.sourceOrder(N))
                .sameAs(ShardContents.place(sc, idx, 2, CLASSES, Layout.sourceOrder(N))));
        Dataset<Row> unitScale = ds;
        Throwable e = assertThrows(Exception.class, () -> ShardContents.place(sc, source(unitScale, 0), 2, CLASSES,
                Layout.sourceOrder(N)));
        while (e.getCause() != null) {
            e = e.getCause();
        }
        assertTrue(e.getMessage().matches("test set: row \\d+: column image value \\d+ is \\d+\\.0, outside \\[0, 1\\]"),
                e.getMessage());

        rows.set(6, RowFactory.create(2.5, rows.get(6).get(1)));
        Dataset<Row> half = spark.createDataFrame(rows, schema);
        Throwable h = assertThrows(Exception.class, () -> ShardContents.place(sc, RowSource.of(half,
                RowSource.Columns.of("label", "image"), SHAPE, new PixelScale(255), NAME, 0), 2, CLASSES,
                Layout.sourceOrder(N)));
        while (h.getCause() != null) {
            h = h.getCause();
        }
        assertEquals("test set: row 6: column label is 2.5; labels must be whole numbers 0..9 (the model's 10 "
                + "classes)", h.getMessage());
    }

    @Test
    void anIndexColumnNumbersTheRowsWhateverTheirOrder() throws Exception {
        StructType schema = new StructType().add("label", DataTypes.ByteType).add("image", DataTypes.BinaryType)
                .add("index", DataTypes.LongType);
        List<Row> rows = new ArrayList<>();
        for (int j = 0; j < N; j++) {
            int i = (j * 11) % N;  // a permutation of 0..N-1 (11 and 37 are coprime)
            rows.add(RowFactory.create((byte) DATA.label(i), Kind.BINARY.value(DATA, i), (long) i));
        }
        Dataset<Row> ds = spark.createDataFrame(rows, schema);
        RowSource.Columns cols = new RowSource.Columns("label", "image", java.util.Optional.of("index"));
        RowSource all = RowSource.of(ds, cols, SHAPE, NAME, 0);
        assertTrue(ShardContents.place(sc, all, 3, CLASSES, Layout.sourceOrder(N))
                .sameAs(ShardContents.place(sc, idx, 3, CLASSES, Layout.sourceOrder(N))));
        RowSource first = RowSource.of(ds, cols, SHAPE, NAME, 10);
        assertEquals(10, first.size());
        IdxSource idxFirst = IdxSource.open(dir.toString(), true, 10);
        assertTrue(ShardContents.place(sc, first, 2, CLASSES, Layout.sourceOrder(10))
                .sameAs(ShardContents.place(sc, idxFirst, 2, CLASSES, Layout.sourceOrder(10))));

        rows.set(5, RowFactory.create((byte) 0, Kind.BINARY.value(DATA, 0), 4L));  // 4 twice, no 11*5%37
        RowSource repeated = RowSource.of(spark.createDataFrame(rows, schema), cols, SHAPE, NAME, 0);
        assertEquals("test set: column index must number the 37 rows 0..36, each once, but its values repeat some "
                + "numbers and skip others (without the column, rows are numbered in read order)",
                assertThrows(IllegalArgumentException.class, repeated::size).getMessage());
    }

    @Test
    void aLimitKeepsTheFirstRowsAndConvertsNoMore() throws Exception {
        // row 30 is broken, past the limit: a read that converted it would fail
        Dataset<Row> ds = dataset(DataTypes.BinaryType, i -> RowFactory.create(DATA.label(i),
                i == 30 ? new byte[1] : Kind.BINARY.value(DATA, i)));
        RowSource first = source(ds, 10);
        assertEquals(10, first.size());
        IdxSource idxFirst = IdxSource.open(dir.toString(), true, 10);
        assertTrue(ShardContents.place(sc, first, 2, CLASSES, Layout.sourceOrder(10))
                .sameAs(ShardContents.place(sc, idxFirst, 2, CLASSES, Layout.sourceOrder(10))));
        assertEquals(N, source(dataset(Kind.BINARY), 100).size());
    }

    @Test
    void badSchemasAreRefusedOnTheDriverInOneLine() {
        Dataset<Row> text = dataset(DataTypes.StringType, i -> RowFactory.create(1, "x"));
        assertEquals("test set: column image has type string; an image column must be binary, array<byte>, "
                + "array<float>, array<double>, an ml.linalg vector (VectorUDT) or the image struct of "
                + "spark.read.format(\"image\")", refused(() -> source(text, 0)));
        Dataset<Row> ints = dataset(DataTypes.createArrayType(DataTypes.IntegerType), i -> RowFactory.create(1,
                new int[60]));
        assertEquals("test set: column image has type array<int>; an image column must be binary, array<byte>, "
                + "array<float>, array<double>, an ml.linalg vector (VectorUDT) or the image struct of "
                + "spark.read.format(\"image\")", refused(() -> source(ints, 0)));
        Dataset<Row> binary = dataset(Kind.BINARY);
        assertEquals("test set: no column picture (columns: label, image)", refused(() ->
                RowSource.of(binary, RowSource.Columns.of("label", "picture"), SHAPE, NAME, 0)));
        Dataset<Row> textLabels = binary.withColumn("label", binary.col("label").cast(DataTypes.StringType));
        assertEquals("test set: column label has type string; a label column must be numeric (byte, short, int, "
                + "long, float or double)", refused(() -> source(textLabels, 0)));
        Dataset<Row> tagged = binary.withColumn("image", binary.col("image").as("image",
                ParquetExport.schema(new Shape(1, 28, 28)).apply("image").metadata()));
        assertEquals("test set: images are 1x28x28 (column image) but the model expects 3x4x5 (channels x height "
                + "x width)", refused(() -> source(tagged, 0)));
    }

    @Test
    void badRowsFailOnTheExecutorsNamingSourceRowAndColumn() {
        assertEquals("test set: row 5: column image has 59 values, expected 60 (3x4x5)", failure(
                dataset(DataTypes.BinaryType, i -> RowFactory.create(DATA.label(i), i == 5 ? new byte[59]
                        : Kind.BINARY.value(DATA, i)))));
        assertEquals("test set: row 20: column image has 61 values, expected 60 (3x4x5)", failure(
                dataset(Kind.DOUBLE_ARRAY.type, i -> RowFactory.create(DATA.label(i), i == 20 ? new double[61]
                        : Kind.DOUBLE_ARRAY.value(DATA, i)))));
        assertEquals("test set: row 7: column image is null", failure(
                dataset(DataTypes.BinaryType, i -> RowFactory.create(DATA.label(i), i == 7 ? null
                        : Kind.BINARY.value(DATA, i)))));
        assertEquals("test set: row 3: column label is null", failure(
                dataset(DataTypes.BinaryType, i -> RowFactory.create(i == 3 ? null : DATA.label(i),
                        Kind.BINARY.value(DATA, i)))));
        assertEquals("test set: row 4: column label is 10; labels must be whole numbers 0..9 (the model's 10 "
                + "classes)", failure(
                dataset(DataTypes.BinaryType, i -> RowFactory.create(i == 4 ? 10 : DATA.label(i),
                        Kind.BINARY.value(DATA, i)))));
        assertEquals("test set: row 36: column label is -1; labels must be whole numbers 0..9 (the model's 10 "
                + "classes)", failure(
                dataset(DataTypes.BinaryType, i -> RowFactory.create(i == 36 ? -1 : DATA.label(i),
                        Kind.BINARY.value(DATA, i)))));
        float[] bright = (float[]) Kind.FLOAT_ARRAY.value(DATA, 2);
        bright[17] = 1.5f;
        assertEquals("test set: row 2: column image value 17 is 1.5, outside [0, 1]", failure(
                dataset(Kind.FLOAT_ARRAY.type, i -> RowFactory.create(DATA.label(i), i == 2 ? bright
                        : Kind.FLOAT_ARRAY.value(DATA, i)))));
        double[] dark = (double[]) Kind.DOUBLE_ARRAY.value(DATA, 8);
        dark[3] = -0.5;
        assertEquals("test set: row 8: column image value 3 is -0.5, outside [0, 1]", failure(
                dataset(Kind.DENSE_VECTOR.type, i -> RowFactory.create(DATA.label(i), i == 8 ? Vectors.dense(dark)
                        : Kind.DENSE_VECTOR.value(DATA, i)))));
        List<Double> gap = new ArrayList<>(Arrays.stream((double[]) Kind.DOUBLE_ARRAY.value(DATA, 6)).boxed()
                .toList());
        gap.set(11, null);
        assertEquals("test set: row 6: column image value 11 is null", failure(
                dataset(Kind.DOUBLE_ARRAY.type, i -> RowFactory.create(DATA.label(i), i == 6 ? gap
                        : Kind.DOUBLE_ARRAY.value(DATA, i)))));
        assertEquals("test set: row 9: column image holds a 4x4 image with 3 channels (origin file:/small.png), "
                + "expected 3x4x5 (channels x height x width)", failure(dataset(Kind.IMAGE_STRUCT.type,
                i -> RowFactory.create(DATA.label(i), i == 9 ? RowFactory.create("file:/small.png", 4, 4, 3, 16,
                        new byte[48]) : Kind.IMAGE_STRUCT.value(DATA, i)))));
    }

    /** The one-line message of the error a placement of {@code rows} ends with. */
    static String failure(Dataset<Row> rows) {
        Throwable e = assertThrows(Exception.class, () -> ShardContents.place(sc, source(rows, 0), 2, CLASSES,
                Layout.sourceOrder(N)));
        while (e.getCause() != null) {
            e = e.getCause();
        }
        assertTrue(e instanceof IllegalArgumentException, e.toString());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    static String refused(org.junit.jupiter.api.function.Executable open) {
        String m = assertThrows(IllegalArgumentException.class, open).getMessage();
        assertFalse(m.contains("\n"), m);
        return m;
    }

}
