package org.sparkcnn.spark;

/**
 * The example-weighted mean of the workers' vectors, one implementation for both places it is computed (the driver,
 * or the averaging tasks on the executors, one slice each): weights in double, summed in worker order, rounded to
 * float once — so both give the same bits. The mean of a single worker's vector is that vector itself, returned
 * without arithmetic: a round of one worker costs no pass over the model (and a −0 stays −0, which adding it to a
 * zero sum would turn into +0), so one worker averaging every step is plain single-machine SGD bit for bit.
 */
final class WeightedMean {
    private final double[] weights;
    private final double[] sum;     // the weighted sum, in worker order; of length 0 for a single worker
    private float[] single;         // a single worker's vector, once added

    /** A mean of vectors of {@code length} values with the workers' {@code weights} ({@link #weights}). */
    WeightedMean(double[] weights, int length) {
        if (weights.length == 0) {
            throw new IllegalArgumentException("a mean of no workers");
        }
        this.weights = weights;
        this.sum = new double[weights.length == 1 ? 0 : length];
    }

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

    /** sum[i] += weight_w · v[i]: called once per worker, in worker order; of a single worker, keeps v itself. */
    void add(int w, float[] v) {
        if (weights.length == 1) {
            single = v;
            return;
        }
        double weight = weights[w];
        for (int i = 0; i < sum.length; i++) {
            sum[i] += weight * v[i];
        }
    }

    /** The mean rounded to float; of a single worker, its vector as added (the same array). */
    float[] floats() {
        if (weights.length == 1) {
            if (single == null) {
                throw new IllegalStateException("the worker's vector was not added");
            }
            return single;
        }
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = (float) sum[i];
        }
        return out;
    }
}
