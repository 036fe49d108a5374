package org.sparkcnn.spark.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Writes an image source as Parquet, read and written by the executors: columns {@code label} (int), {@code image}
 * (binary, the C·H·W pixel bytes, with the shape in the field's metadata) and {@code index} (int, the example's
 * source index), one file per partition of the read, in source order. {@link RowSource#parquet} reads it back in
 * the source's order: the index column numbers the examples whatever order Spark lists the files in (it orders file
 * splits by size, not by name).
 */
public final class ParquetExport {
    private ParquetExport() { }

    /** The schema written for images of {@code shape}. */
    public static StructType schema(Shape shape) {
        Metadata dims = new MetadataBuilder().putLongArray(RowSource.SHAPE_METADATA,
                new long[] {shape.channels(), shape.height(), shape.width()}).build();
        return new StructType()
                .add(RowSource.DEFAULT.label(), DataTypes.IntegerType, false)
                .add(RowSource.DEFAULT.image(), DataTypes.BinaryType, false, dims)
                .add(RowSource.DEFAULT.index().orElseThrow(), DataTypes.IntegerType, false);
    }

    /**
     * Reads {@code src} on the executors in {@code partitions} partitions (an aligned source; others read in their own)
     * and writes it to the new directory {@code location} (local path or Hadoop URI). Any label 0..255 is taken.
     */
    public static void write(SparkSession spark, ImageSource src, int partitions, String location) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Row> rows = src.read(sc, partitions, 256).flatMap(new ToRows());
        spark.createDataFrame(rows, schema(src.shape())).write().parquet(HadoopFiles.qualify(location));
    }

    /** A chunk's examples as (label, image bytes, index) rows. */
    static final class ToRows implements FlatMapFunction<ExampleChunk, Row> {
        @Override
        public Iterator<Row> call(ExampleChunk c) {
            ImageArray images = c.images();
            int per = images.shape().size();
            List<Row> out = new ArrayList<>(images.size());
            for (int j = 0; j < images.size(); j++) {
                byte[] pixels = Arrays.copyOfRange(images.pixels(), j * per, (j + 1) * per);
                out.add(RowFactory.create(images.label(j), pixels, c.index()[j]));
            }
            return out.iterator();
        }
    }
}
