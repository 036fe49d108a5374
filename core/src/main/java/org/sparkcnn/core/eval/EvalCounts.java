package org.sparkcnn.core.eval;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What one partition of an evaluation returns: confusion counts (row = true class, column = predicted), the sum
 * of per-example losses and the number of examples. Counts merge by addition, so partial results combine in any
 * grouping; {@link #zero} is the identity.
 */
public record EvalCounts(long[][] confusion, double lossSum, long examples) implements Serializable {

    public static EvalCounts zero(int classes) {
        return new EvalCounts(new long[classes][classes], 0, 0);
    }

    public int classes() {
        return confusion.length;
    }

    /** The sum of this and {@code o} (a new object). */
    public EvalCounts plus(EvalCounts o) {
        if (o.classes() != classes()) {
            throw new IllegalArgumentException("cannot merge " + classes() + "-class and " + o.classes() + "-class counts");
        }
        long[][] c = new long[classes()][];
        for (int i = 0; i < c.length; i++) {
            c[i] = confusion[i].clone();
            for (int j = 0; j < c.length; j++) {
                c[i][j] += o.confusion[i][j];
            }
        }
        return new EvalCounts(c, lossSum + o.lossSum, examples + o.examples);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvalCounts e && Arrays.deepEquals(confusion, e.confusion) && lossSum == e.lossSum
                && examples == e.examples;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(confusion) * 31 + Long.hashCode(examples);
    }
}
