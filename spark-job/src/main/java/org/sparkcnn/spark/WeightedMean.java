package org.sparkcnn.spark;

/**
 * The example-weighted mean of the workers' vectors, one implementation for both places it is computed (the driver,
 * or the averaging tasks on the executors, one slice each): weights in double, summed in worker order, rounded to
 * float once — so both give the same bits.
 */
final class WeightedMean {
    private WeightedMean() { }

    /** Worker w's weight: its share of the round's examples (equal shares when no worker had any). */
    static double[] weights(WorkerStats[] stats) {
        long[] examples = new long[stats.length];
        for (int i = 0; i < stats.length; i++) {
            examples[i] = stats[i].examples();
        }
        return weights(examples);
    }

    /** The same weights from the examples each worker processed, in worker order. */
    static double[] weights(long[] examples) {
        long total = 0;
        for (long e : examples) {
            total += e;
        }
        double[] w = new double[examples.length];
        for (int i = 0; i < examples.length; i++) {
            w[i] = total == 0 ? 1.0 / examples.length : (double) examples[i] / total;
        }
        return w;
    }

    /** sum[i] += weight · v[i]: called once per worker, in worker order. */
    static void accumulate(double[] sum, double weight, float[] v) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += weight * v[i];
        }
    }

    static float[] toFloats(double[] sum) {
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = (float) sum[i];
        }
        return out;
    }
}
