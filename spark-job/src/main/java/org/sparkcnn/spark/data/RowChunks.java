package org.sparkcnn.spark.data;

import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.data.ImageArray;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The executor side of a {@link RowSource}, on Spark's internal rows: counting each partition's rows (and checking
 * an index column), and turning a partition's rows into {@link ExampleChunk}s. Everything here is small and
 * serializable; the Dataset stays on the driver.
 */
final class RowChunks {
    private RowChunks() { }

    /** Per-partition row counts and, from them, the rows each partition contributes under the limit. */
    record Counts(long[] rows, long[] offsets, long[] take, long size) implements Serializable {
        /** {@code limit} truncates by position (-1: an index limit was already applied as a filter). */
        static Counts of(List<long[]> parts, long limit, String name) {
            long[] rows = new long[parts.size()];
            for (long[] p : parts) {
                rows[(int) p[0]] = p[1];
            }
            long[] offsets = new long[rows.length];
            long[] take = new long[rows.length];
            long total = 0;
            for (int p = 0; p < rows.length; p++) {
                offsets[p] = total;
                total += rows[p];
            }
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + ": " + total + " rows, more than the "
                        + Integer.MAX_VALUE + " examples a data set can hold");
            }
            long size = limit > 0 ? Math.min(limit, total) : total;
            for (int p = 0; p < rows.length; p++) {
                take[p] = Math.max(0, Math.min(rows[p], size - offsets[p]));
            }
            return new Counts(rows, offsets, take, size);
        }
    }

    /** The numeric column types a label or index column may have, read from Spark's internal rows. */
    enum NumericType {
        BYTE, SHORT, INT, LONG, FLOAT, DOUBLE;

        static Optional<NumericType> of(DataType t) {
            if (t.equals(DataTypes.ByteType)) {
                return Optional.of(BYTE);
            } else if (t.equals(DataTypes.ShortType)) {
                return Optional.of(SHORT);
            } else if (t.equals(DataTypes.IntegerType)) {
                return Optional.of(INT);
            } else if (t.equals(DataTypes.LongType)) {
                return Optional.of(LONG);
            } else if (t.equals(DataTypes.FloatType)) {
                return Optional.of(FLOAT);
            } else if (t.equals(DataTypes.DoubleType)) {
                return Optional.of(DOUBLE);
            }
            return Optional.empty();
        }

        /** Whether values are whole numbers by type (an index column must be int or long). */
        boolean integral() {
            return this != FLOAT && this != DOUBLE;
        }

        /** The value of an integral column. */
        long get(InternalRow row, int ordinal) {
            return switch (this) {
                case BYTE -> row.getByte(ordinal);
                case SHORT -> row.getShort(ordinal);
                case INT -> row.getInt(ordinal);
                case LONG -> row.getLong(ordinal);
                case FLOAT, DOUBLE -> throw new IllegalStateException(this + " is not an integral type");
            };
        }

        /** The value of any numeric column, exact for integers below 2^53 (what a class label is). */
        double value(InternalRow row, int ordinal) {
            return switch (this) {
                case FLOAT -> row.getFloat(ordinal);
                case DOUBLE -> row.getDouble(ordinal);
                default -> get(row, ordinal);
            };
        }
    }

    /** How a row gets its source index: its position in the Dataset, or its index column (ordinal 2). */
    interface Numbering extends Serializable {
        long indexOf(InternalRow row, long position);
    }

    /** Source index = position (as {@code zipWithIndex} numbers the rows). */
    record Positions() implements Numbering {
        @Override
        public long indexOf(InternalRow row, long position) {
            return position;
        }
    }

    /** Source index = the index column, checked to lie in 0..size-1. */
    record IndexValues(String name, String column, NumericType type, long size) implements Numbering {
        @Override
        public long indexOf(InternalRow row, long position) {
            if (row.isNullAt(2)) {
                throw new IllegalArgumentException(name + ": column " + column + " is null");
            }
            long id = type.get(row, 2);
            if (id < 0 || id >= size) {
                throw new IllegalArgumentException(name + ": row " + id + ": column " + column + " is " + id
                        + ", outside 0.." + (size - 1));
            }
            return id;
        }
    }

    /** What the executors need to turn rows into examples (no Dataset). */
    record Decoding(String name, String labelColumn, String imageColumn, Shape shape, ImageColumn image,
                            NumericType label, Numbering numbering) implements Serializable {
        IllegalArgumentException fault(long row, String what) {
            return new IllegalArgumentException(name + ": row " + row + ": " + what);
        }
    }

    /** Per partition: {partition, rows, 0, 0, 0, 0}. */
    static final class CountRows implements Function2<Integer, Iterator<InternalRow>, Iterator<long[]>> {
        @Override
        public Iterator<long[]> call(Integer partition, Iterator<InternalRow> in) {
            long rows = 0;
            while (in.hasNext()) {
                in.next();
                rows++;
            }
            return List.of(new long[] {partition, rows, 0, 0, 0, 0}).iterator();
        }
    }

    /** Per partition: {partition, rows, and the index column's min, max, sum and sum of squares (mod 2^64)}. */
    static final class CountIndex implements Function2<Integer, Iterator<InternalRow>, Iterator<long[]>> {
        private final String name;
        private final String column;
        private final NumericType type;

        CountIndex(String name, String column, NumericType type) {
            this.name = name;
            this.column = column;
            this.type = type;
        }

        @Override
        public Iterator<long[]> call(Integer partition, Iterator<InternalRow> in) {
            long rows = 0;
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            long sum = 0;
            long squares = 0;
            while (in.hasNext()) {
                InternalRow r = in.next();
                if (r.isNullAt(0)) {
                    throw new IllegalArgumentException(name + ": column " + column + " is null in row " + rows
                            + " of partition " + partition);
                }
                long i = type.get(r, 0);
                min = Math.min(min, i);
                max = Math.max(max, i);
                sum += i;
                squares += i * i;
                rows++;
            }
            return List.of(new long[] {partition, rows, min, max, sum, squares}).iterator();
        }
    }

    /**
     * Executor side: a partition's rows, up to its share of the limit, as chunks of at most
     * {@link Shards#chunkExamples} examples, every label and image checked. A partition that holds other than the
     * counted rows (a Dataset that is not deterministic) is an error.
     */
    static final class ToChunks implements Function2<Integer, Iterator<InternalRow>, Iterator<ExampleChunk>> {
        private final Decoding d;
        private final Counts counts;
        private final int classes;

        ToChunks(Decoding d, Counts counts, int classes) {
            this.d = d;
            this.counts = counts;
            this.classes = classes;
        }

        @Override
        public Iterator<ExampleChunk> call(Integer partition, Iterator<InternalRow> in) {
            int p = partition;
            long take = counts.take[p];
            boolean whole = take == counts.rows[p];
            int per = Shards.chunkExamples(d.shape);
            int size = d.shape.size();
            return new Iterator<>() {
                long done;

                @Override
                public boolean hasNext() {
                    return done < take;
                }

                @Override
                public ExampleChunk next() {
                    if (done >= take) {
                        throw new NoSuchElementException();
                    }
                    int count = (int) Math.min(per, take - done);
                    int[] ids = new int[count];
                    byte[] labels = new byte[count];
                    byte[] pixels = new byte[Math.multiplyExact(count, size)];
                    for (int j = 0; j < count; j++) {
                        if (!in.hasNext()) {
                            throw changed(p, "fewer");
                        }
                        InternalRow r = in.next();
                        long id = d.numbering.indexOf(r, counts.offsets[p] + done + j);
                        ids[j] = (int) id;
                        labels[j] = (byte) labelOf(r, id);
                        if (r.isNullAt(1)) {
                            throw d.fault(id, "column " + d.imageColumn + " is null");
                        }
                        try {
                            d.image.decode(r, 1, pixels, j * size);
                        } catch (IllegalArgumentException e) {
                            throw d.fault(id, e.getMessage());
                        }
                    }
                    done += count;
                    if (done == take && whole && in.hasNext()) {
                        throw changed(p, "more");
                    }
                    return new ExampleChunk(ids, new ImageArray(pixels, labels, d.shape));
                }
            };
        }

        private int labelOf(InternalRow r, long id) {
            if (r.isNullAt(0)) {
                throw d.fault(id, "column " + d.labelColumn + " is null");
            }
            double l = d.label.value(r, 0);
            if (!(l >= 0 && l < classes && l == Math.rint(l))) {
                throw d.fault(id, "column " + d.labelColumn + " is " + (d.label.integral() ? String.valueOf((long) l)
                        : String.valueOf(l)) + "; labels must be whole numbers 0.." + (classes - 1)
                        + " (the model's " + classes + " classes)");
            }
            return (int) l;
        }

        private IllegalStateException changed(int p, String what) {
            return new IllegalStateException(d.name + ": partition " + p + " holds " + what + " than the "
                    + counts.rows[p] + " rows counted before; the Dataset must give the same rows every time");
        }
    }
}
