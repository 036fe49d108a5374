package org.sparkcnn.spark.data;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.core.Shape;
import org.sparkcnn.spark.data.RowChunks.CountIndex;
import org.sparkcnn.spark.data.RowChunks.CountRows;
import org.sparkcnn.spark.data.RowChunks.Counts;
import org.sparkcnn.spark.data.RowChunks.Decoding;
import org.sparkcnn.spark.data.RowChunks.IndexValues;
import org.sparkcnn.spark.data.RowChunks.NumericType;
import org.sparkcnn.spark.data.RowChunks.Numbering;
import org.sparkcnn.spark.data.RowChunks.Positions;
import org.sparkcnn.spark.data.RowChunks.ToChunks;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;

/**
 * A Spark {@code Dataset<Row>} of labelled images, read by the executors: an integer label column (values 0..K-1)
 * and an image column of one of the types {@link ImageColumn} reads, of a shape the caller declares (the model's
 * input). The schema is checked on the driver; every row is checked on the executors, a fault naming the source,
 * the row and the column.
 *
 * <p>Source indices (the order the layouts and a limit refer to): with an index column, its values, which must
 * number the rows 0..n-1 once each ({@link ParquetExport} writes one, so a converted data set keeps its IDX order
 * whatever order Spark reads its files in); without one, the rows' positions in the Dataset's own partition order,
 * as {@code zipWithIndex} numbers them (deterministic for the same files and settings). A limit N keeps the
 * examples with index below N, and a read stops converting there. Chunks are runs of consecutive rows of a
 * partition; the source is not aligned, so {@link Shards#place} moves each example to its shard by its index.
 *
 * <p>The size is counted once, on the executors, by a job that reads only the label (or index) column. The
 * executor side is {@link RowChunks}.
 */
public final class RowSource implements ImageSource {
    /** The columns {@code convert} writes and {@link #parquet} reads. */
    public static final Columns DEFAULT = new Columns("label", "image", Optional.of("index"));
    /** Field metadata of an image column: its shape as [C, H, W] (written by convert, checked when present). */
    public static final String SHAPE_METADATA = "spark-cnn.shape";

    /**
     * Which columns hold what.
     *
     * @param label the label column: any numeric type, whole values 0..K-1
     * @param image the image column (see {@link ImageColumn})
     * @param index the column of source indices, if any (int or long; 0..n-1, each once)
     */
    public record Columns(String label, String image, Optional<String> index) {
        public Columns {
            if (label.equals(image) || index.filter(i -> i.equals(label) || i.equals(image)).isPresent()) {
                throw new IllegalArgumentException("label, image and index must be different columns, got "
                        + label + ", " + image + ", " + index.orElse("(none)"));
            }
        }

        /** Label and image only: rows are numbered by position. */
        public static Columns of(String label, String image) {
            return new Columns(label, image, Optional.empty());
        }
    }

    private final Dataset<Row> rows;
    private final Columns columns;
    private final ImageColumn image;
    private final NumericType label;
    private final Optional<NumericType> index;
    private final Shape shape;
    private final String name;
    private final long limit;
    private Counts counts;

    private RowSource(Dataset<Row> rows, Columns columns, ImageColumn image, NumericType label,
                      Optional<NumericType> index, Shape shape, String name, long limit) {
        this.rows = rows;
        this.columns = columns;
        this.image = image;
        this.label = label;
        this.index = index;
        this.shape = shape;
        this.name = name;
        this.limit = limit;
    }

    /** {@link #of(Dataset, Columns, Shape, PixelScale, String, long)} with fractional pixels in [0, 1]. */
    public static RowSource of(Dataset<Row> rows, Columns columns, Shape shape, String name, long limit) {
        return of(rows, columns, shape, PixelScale.UNIT, name, limit);
    }

    /**
     * {@code rows} as images of {@code shape} (fractional pixel values on {@code scale}), limited to the first
     * {@code limit} examples when {@code limit > 0}; {@code name} says what it is in messages
     * ({@code "--data DIR (training set)"}). Refuses, in one line, a missing column, a column of an unsupported
     * type, and an image column whose shape metadata is not {@code shape}.
     */
    public static RowSource of(Dataset<Row> rows, Columns columns, Shape shape, PixelScale scale, String name,
                               long limit) {
        StructType schema = rows.schema();
        StructField l = field(schema, columns.label(), name);
        NumericType label = NumericType.of(l.dataType()).orElseThrow(() -> new IllegalArgumentException(name
                + ": column " + l.name() + " has type " + l.dataType().simpleString()
                + "; a label column must be numeric (byte, short, int, long, float or double)"));
        StructField img = field(schema, columns.image(), name);
        ImageColumn image;
        try {
            image = ImageColumn.of(img.name(), img.dataType(), shape, scale);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
        checkShapeMetadata(img.metadata(), shape, name, img.name());
        Optional<NumericType> index = Optional.empty();
        Dataset<Row> kept = rows;
        if (columns.index().isPresent()) {
            StructField i = field(schema, columns.index().get(), name);
            index = NumericType.of(i.dataType()).filter(t -> t == NumericType.INT || t == NumericType.LONG);
            if (index.isEmpty()) {
                throw new IllegalArgumentException(name + ": column " + i.name() + " has type "
                        + i.dataType().simpleString() + "; an index column must be int or long");
            }
            if (limit > 0) {
                kept = rows.filter(col(i.name()).lt(limit));
            }
        }
        return new RowSource(kept, columns, image, label, index, shape, name, limit);
    }

    /**
     * The Parquet files at {@code path} (a local path or Hadoop URI) with columns {@code label} and {@code image},
     * and {@code index} when present ({@link #DEFAULT}: what {@code spark-cnn convert} writes).
     */
    public static RowSource parquet(SparkSession spark, String path, Shape shape, String name, long limit) {
        Dataset<Row> rows = spark.read().parquet(HadoopFiles.qualify(path));
        String idx = DEFAULT.index().orElseThrow();
        boolean indexed = Arrays.asList(rows.columns()).contains(idx);
        Columns cols = indexed ? DEFAULT : Columns.of(DEFAULT.label(), DEFAULT.image());
        return of(rows, cols, shape, name, limit);
    }

    private static StructField field(StructType schema, String column, String name) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(column)) {
                return f;
            }
        }
        throw new IllegalArgumentException(name + ": no column " + column + " (columns: "
                + String.join(", ", schema.fieldNames()) + ")");
    }

    private static void checkShapeMetadata(Metadata m, Shape shape, String name, String column) {
        if (!m.contains(SHAPE_METADATA)) {
            return;
        }
        long[] s = m.getLongArray(SHAPE_METADATA);
        if (s.length != 3 || s[0] != shape.channels() || s[1] != shape.height() || s[2] != shape.width()) {
            throw new IllegalArgumentException(name + ": images are " + (s.length == 3 ? s[0] + "x" + s[1] + "x" + s[2]
                    : Arrays.toString(s)) + " (column " + column + ") but the model expects " + shape
                    + " (channels x height x width)");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    /** Examples after the limit; counted on the executors on first use. */
    @Override
    public long size() {
        return counts().size();
    }

    @Override
    public boolean aligned() {
        return false;
    }

    /** The Dataset's own partitions, each as consecutive chunks; {@code partitions} is not used. */
    @Override
    public JavaRDD<ExampleChunk> read(JavaSparkContext sc, int partitions, int classes) {
        Counts c = counts();
        Column[] cols = index.isPresent()
                ? new Column[] {col(columns.label()), col(columns.image()), col(columns.index().get())}
                : new Column[] {col(columns.label()), col(columns.image())};
        JavaRDD<InternalRow> in = rows.select(cols).queryExecution().toRdd().toJavaRDD();
        if (in.getNumPartitions() != c.rows().length) {
            throw new IllegalStateException(name + ": the Dataset has " + in.getNumPartitions() + " partitions "
                    + "when read but had " + c.rows().length + " when counted");
        }
        Numbering numbering = index.isPresent()
                ? new IndexValues(name, columns.index().get(), index.get(), c.size()) : new Positions();
        Decoding d = new Decoding(name, columns.label(), columns.image(), shape, image, label, numbering);
        return in.mapPartitionsWithIndex(new ToChunks(d, c, classes), true).setName("read " + name);
    }

    /** Rows per partition (after an index limit), counted once by a job that reads the label or index only. */
    private synchronized Counts counts() {
        if (counts == null) {
            String key = columns.index().orElse(columns.label());
            SparkContext sc = rows.sparkSession().sparkContext();
            String description = sc.getLocalProperty("spark.job.description");
            sc.setJobDescription("count " + name);
            List<long[]> parts;
            try {
                JavaRDD<InternalRow> keys = rows.select(col(key)).queryExecution().toRdd().toJavaRDD();
                parts = (index.isPresent() ? keys.mapPartitionsWithIndex(new CountIndex(name, key, index.get()), true)
                        : keys.mapPartitionsWithIndex(new CountRows(), true)).collect();
            } finally {
                sc.setJobDescription(description);
            }
            counts = Counts.of(parts, index.isPresent() ? -1 : limit, name);
            if (index.isPresent()) {
                checkNumbering(parts, counts.size());
            }
        }
        return counts;
    }

    /**
     * Refuses an index column that does not hold 0..n-1: n values between 0 and n-1 whose sum and sum of squares
     * (mod 2^64) are those of 0..n-1. A duplicate with a gap passes only if both sums happen to balance.
     */
    private void checkNumbering(List<long[]> parts, long n) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long sum = 0;
        long squares = 0;
        for (long[] p : parts) {
            if (p[1] > 0) {
                min = Math.min(min, p[2]);
                max = Math.max(max, p[3]);
                sum += p[4];
                squares += p[5];
            }
        }
        BigInteger bn = BigInteger.valueOf(n);
        long expectedSum = bn.multiply(bn.subtract(BigInteger.ONE)).shiftRight(1).longValue();
        long expectedSquares = bn.subtract(BigInteger.ONE).multiply(bn)
                .multiply(bn.shiftLeft(1).subtract(BigInteger.ONE)).divide(BigInteger.valueOf(6)).longValue();
        if (n > 0 && (min != 0 || max != n - 1 || sum != expectedSum || squares != expectedSquares)) {
            String c = columns.index().orElseThrow();
            throw new IllegalArgumentException(name + ": column " + c + " must number the " + n + " rows "
                    + (limit > 0 ? "below the limit " : "") + "0.." + (n - 1) + ", each once, but its values "
                    + (min != 0 || max != n - 1 ? "span " + min + ".." + max : "repeat some numbers and skip others")
                    + " (without the column, rows are numbered in read order)");
        }
    }
}
