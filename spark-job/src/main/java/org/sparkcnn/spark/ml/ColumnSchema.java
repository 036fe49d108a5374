package org.sparkcnn.spark.ml;

import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.core.Shape;

import java.util.Arrays;

/**
 * {@code transformSchema} for the CNN stages: checks the input columns' types (and a vector column's declared size)
 * and appends the output columns, or says in one line which column is wrong, its type and what was expected.
 */
final class ColumnSchema {
    private ColumnSchema() { }

    /** The features column, checked to hold C·H·W values of {@code shape}. */
    static StructField features(StructType schema, String column, Shape shape, String stage) {
        StructField f = field(schema, column, stage);
        DataType t = f.dataType();
        String expected = "an ml.linalg.Vector, array<float> or array<double> of " + shape.size() + " values ("
                + shape + ", inputShape)";
        boolean ok = t.equals(SQLDataTypes.VectorType()) || t.equals(DataTypes.BinaryType)
                || t instanceof ArrayType a && (a.elementType().equals(DataTypes.FloatType)
                || a.elementType().equals(DataTypes.DoubleType) || a.elementType().equals(DataTypes.ByteType));
        if (!ok) {
            throw new IllegalArgumentException(stage + ": column " + column + " has type " + t.simpleString()
                    + "; expected " + expected);
        }
        if (t.equals(SQLDataTypes.VectorType())) {
            int size = AttributeGroup.fromStructField(f).size();
            if (size >= 0 && size != shape.size()) {
                throw new IllegalArgumentException(stage + ": column " + column + " holds vectors of " + size
                        + " values; expected " + expected);
            }
        }
        return f;
    }

    /** The label column, checked to be numeric. */
    static StructField label(StructType schema, String column, String stage) {
        StructField f = field(schema, column, stage);
        if (!(f.dataType() instanceof NumericType)) {
            throw new IllegalArgumentException(stage + ": column " + column + " has type "
                    + f.dataType().simpleString() + "; expected a numeric label column (whole values 0..K-1)");
        }
        return f;
    }

    /** {@code schema} with the non-empty output columns appended: raw prediction, probability, prediction. */
    static StructType withOutputs(StructType schema, String raw, String probability, String prediction,
                                  String stage) {
        StructType out = schema;
        for (String[] c : new String[][] {{raw, "vector"}, {probability, "vector"}, {prediction, "double"}}) {
            if (c[0].isEmpty()) {
                continue;
            }
            if (Arrays.asList(out.fieldNames()).contains(c[0])) {
                throw new IllegalArgumentException(stage + ": output column " + c[0] + " already exists");
            }
            out = out.add(c[0], c[1].equals("vector") ? SQLDataTypes.VectorType() : DataTypes.DoubleType, false);
        }
        return out;
    }

    private static StructField field(StructType schema, String column, String stage) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(stage + ": no column " + column + " (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        return schema.apply(column);
    }
}
