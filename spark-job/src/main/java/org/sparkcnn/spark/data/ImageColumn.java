package org.sparkcnn.spark.data;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
import org.sparkcnn.core.Shape;

import java.io.Serializable;
import java.util.Set;

/**
 * How one value of a Dataset's image column becomes an example's C×H×W unsigned bytes (c-order), on the executors,
 * from Spark's internal row format (no per-value objects). The column types:
 * <ul>
 * <li>{@code binary} or {@code array<byte>}: the C·H·W pixel bytes themselves, unsigned.</li>
 * <li>{@code array<float>}, {@code array<double>} or an ml/mllib {@code linalg.Vector} (VectorUDT, dense or sparse;
 *     also its plain struct form, as Parquet gives it back without MLlib): C·H·W values in [0, 1], or on another
 *     {@link PixelScale} (raw 0–255). The cache holds 1 byte per pixel, so a value v in [0, 1] is stored as
 *     round(255·v) and the network sees round(255·v)/255: exact for v = k/255, otherwise off by at most 1/510. A
 *     value off the scale (or NaN) is refused.</li>
 * <li>the struct of Spark's {@code image} data source (origin, height, width, nChannels, mode, data): 8-bit
 *     OpenCV images, height×width×nChannels bytes interleaved as B,G,R(,A); stored as C×H×W planes in R,G,B(,A)
 *     order. Height, width and channels must be the declared shape's.</li>
 * </ul>
 * A value that does not fit is an {@link IllegalArgumentException} whose message starts with "column NAME" and
 * which the caller prefixes with the source and the row.
 */
abstract class ImageColumn implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The types this class reads, for messages. */
    static final String SUPPORTED = "binary, array<byte>, array<float>, array<double>, an ml.linalg vector "
            + "(VectorUDT) or the image struct of spark.read.format(\"image\")";

    final PixelColumn pixels;
    final Shape shape;

    private ImageColumn(PixelColumn pixels) {
        this.pixels = pixels;
        this.shape = pixels.shape();
    }

    /**
     * The decoder for a column of {@code type}, fractional values read on {@code scale}; an unsupported type is
     * refused in one line naming both.
     */
    static ImageColumn of(String column, DataType type, Shape shape, PixelScale scale) {
        PixelColumn pixels = new PixelColumn(column, shape, scale);
        if (type instanceof UserDefinedType<?> udt && isVectorUdt(udt)) {
            return new VectorValues(pixels, (StructType) udt.sqlType());
        }
        if (type.equals(DataTypes.BinaryType)) {
            return new Bytes(pixels, false);
        }
        if (type instanceof ArrayType a) {
            if (a.elementType().equals(DataTypes.ByteType)) {
                return new Bytes(pixels, true);
            }
            if (a.elementType().equals(DataTypes.FloatType) || a.elementType().equals(DataTypes.DoubleType)) {
                return new Fractions(pixels, a.elementType().equals(DataTypes.FloatType), a.containsNull());
            }
        }
        if (type instanceof StructType s && isVectorStruct(s)) {
            return new VectorValues(pixels, s);
        }
        if (type instanceof StructType s && isImageStruct(s)) {
            return new ImageStruct(pixels, s);
        }
        throw new IllegalArgumentException("column " + column + " has type " + type.simpleString() + "; an image "
                + "column must be " + SUPPORTED);
    }

    /**
     * Writes the value at {@code ordinal} of {@code row} (not null) as {@code shape.size()} bytes at
     * {@code out[at..]}.
     */
    abstract void decode(InternalRow row, int ordinal, byte[] out, int at);

    /** Refuses an array that holds a null, naming the first. */
    void checkNoNulls(ArrayData a) {
        for (int k = 0; k < a.numElements(); k++) {
            if (a.isNullAt(k)) {
                throw pixels.fault("value " + k + " is null");
            }
        }
    }

    private static boolean isVectorUdt(UserDefinedType<?> udt) {
        String name = udt.getClass().getName();
        return (name.equals("org.apache.spark.ml.linalg.VectorUDT")
                || name.equals("org.apache.spark.mllib.linalg.VectorUDT"))
                && udt.sqlType() instanceof StructType s && isVectorStruct(s);
    }

    /** VectorUDT's storage: {@code struct<type: tinyint, size: int, indices: array<int>, values: array<double>>}. */
    private static boolean isVectorStruct(StructType s) {
        return s.fields().length == 4 && has(s, "type", DataTypes.ByteType) && has(s, "size", DataTypes.IntegerType)
                && has(s, "indices", DataTypes.createArrayType(DataTypes.IntegerType, false))
                && has(s, "values", DataTypes.createArrayType(DataTypes.DoubleType, false));
    }

    private static boolean isImageStruct(StructType s) {
        return s.fields().length == 6 && has(s, "origin", DataTypes.StringType)
                && has(s, "height", DataTypes.IntegerType) && has(s, "width", DataTypes.IntegerType)
                && has(s, "nChannels", DataTypes.IntegerType) && has(s, "mode", DataTypes.IntegerType)
                && has(s, "data", DataTypes.BinaryType);
    }

    /** Whether {@code s} has a field {@code name} of {@code type} (array nullability aside). */
    private static boolean has(StructType s, String name, DataType type) {
        for (StructField f : s.fields()) {
            if (f.name().equals(name)) {
                DataType t = f.dataType();
                return t instanceof ArrayType a && type instanceof ArrayType b
                        ? a.elementType().equals(b.elementType()) : t.equals(type);
            }
        }
        return false;
    }

    /** {@code binary} or {@code array<byte>}: the pixel bytes. */
    static final class Bytes extends ImageColumn {
        private static final long serialVersionUID = 1L;
        private final boolean array;

        Bytes(PixelColumn pixels, boolean array) {
            super(pixels);
            this.array = array;
        }

        @Override
        void decode(InternalRow row, int ordinal, byte[] out, int at) {
            if (!array) {
                byte[] b = row.getBinary(ordinal);
                pixels.checkCount(b.length);
                System.arraycopy(b, 0, out, at, b.length);
                return;
            }
            ArrayData a = row.getArray(ordinal);
            pixels.checkCount(a.numElements());
            checkNoNulls(a);
            System.arraycopy(a.toByteArray(), 0, out, at, shape.size());
        }
    }

    /** {@code array<float>} or {@code array<double>} of values in [0, 1]. */
    static final class Fractions extends ImageColumn {
        private static final long serialVersionUID = 1L;
        private final boolean floats;
        private final boolean nullable;

        Fractions(PixelColumn pixels, boolean floats, boolean nullable) {
            super(pixels);
            this.floats = floats;
            this.nullable = nullable;
        }

        @Override
        void decode(InternalRow row, int ordinal, byte[] out, int at) {
            ArrayData a = row.getArray(ordinal);
            pixels.checkCount(a.numElements());
            if (nullable) {
                checkNoNulls(a);
            }
            if (floats) {
                float[] v = a.toFloatArray();
                for (int k = 0; k < v.length; k++) {
                    out[at + k] = pixels.quantise(v[k], k);
                }
            } else {
                pixels.quantiseAll(a.toDoubleArray(), out, at);
            }
        }
    }

    /** A linalg vector in its storage form: type 1 dense (values), type 0 sparse (size, indices, values). */
    static final class VectorValues extends ImageColumn {
        private static final long serialVersionUID = 1L;
        private final int type;
        private final int size;
        private final int indices;
        private final int values;

        VectorValues(PixelColumn pixels, StructType s) {
            super(pixels);
            this.type = s.fieldIndex("type");
            this.size = s.fieldIndex("size");
            this.indices = s.fieldIndex("indices");
            this.values = s.fieldIndex("values");
        }

        @Override
        void decode(InternalRow row, int ordinal, byte[] out, int at) {
            InternalRow v = row.getStruct(ordinal, 4);
            double[] vals = v.getArray(values).toDoubleArray();
            if (v.getByte(type) == 1) {
                pixels.checkCount(vals.length);
                pixels.quantiseAll(vals, out, at);
                return;
            }
            pixels.checkCount(v.getInt(size));
            int[] idx = v.getArray(indices).toIntArray();
            if (idx.length != vals.length) {
                throw pixels.fault("is a sparse vector with " + idx.length + " indices but " + vals.length + " values");
            }
            java.util.Arrays.fill(out, at, at + shape.size(), (byte) 0);
            for (int j = 0; j < idx.length; j++) {
                if (idx[j] < 0 || idx[j] >= shape.size()) {
                    throw pixels.fault("is a sparse vector with index " + idx[j] + " outside 0.." + (shape.size() - 1));
                }
                out[at + idx[j]] = pixels.quantise(vals[j], idx[j]);
            }
        }
    }

    /** The image data source's struct: 8-bit B,G,R(,A)-interleaved rows, stored as R,G,B(,A) planes. */
    static final class ImageStruct extends ImageColumn {
        private static final long serialVersionUID = 1L;
        /** OpenCV types of 8-bit images with 1, 3 and 4 channels (CV_8UC1, CV_8UC3, CV_8UC4). */
        private static final Set<Integer> EIGHT_BIT = Set.of(0, 16, 24);
        private final int origin;
        private final int height;
        private final int width;
        private final int channels;
        private final int mode;
        private final int data;

        ImageStruct(PixelColumn pixels, StructType s) {
            super(pixels);
            this.origin = s.fieldIndex("origin");
            this.height = s.fieldIndex("height");
            this.width = s.fieldIndex("width");
            this.channels = s.fieldIndex("nChannels");
            this.mode = s.fieldIndex("mode");
            this.data = s.fieldIndex("data");
        }

        @Override
        void decode(InternalRow row, int ordinal, byte[] out, int at) {
            InternalRow img = row.getStruct(ordinal, 6);
            String from = img.isNullAt(origin) ? "" : " (origin " + img.getUTF8String(origin) + ")";
            int h = img.getInt(height);
            int w = img.getInt(width);
            int c = img.getInt(channels);
            if (h < 1 || w < 1 || c < 1 || img.isNullAt(data)) {
                throw pixels.fault("holds no decoded image" + from);
            }
            if (h != shape.height() || w != shape.width() || c != shape.channels()) {
                throw pixels.fault("holds a " + h + "x" + w + " image with " + c + " channel" + (c == 1 ? "" : "s")
                        + from + ", expected " + shape + " (channels x height x width)");
            }
            if (!EIGHT_BIT.contains(img.getInt(mode))) {
                throw pixels.fault("holds an image of OpenCV mode " + img.getInt(mode) + from
                        + ", not 8 bits per channel (CV_8UC1, CV_8UC3 or CV_8UC4)");
            }
            byte[] bgr = img.getBinary(data);
            if (bgr.length != shape.size()) {
                throw pixels.fault("holds " + bgr.length + " data bytes" + from + ", expected " + shape.size() + " ("
                        + h + "x" + w + "x" + c + ")");
            }
            int plane = h * w;
            for (int ch = 0; ch < c; ch++) {
                // output plane ch (R, G, B, A order) reads interleaved channel src (B, G, R, A order)
                int src = c >= 3 && ch < 3 ? 2 - ch : ch;
                int dst = at + ch * plane;
                for (int p = 0; p < plane; p++) {
                    out[dst + p] = bgr[p * c + src];
                }
            }
        }
    }
}
