package org.sparkcnn.spark;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The example-weighted mean of the workers' vectors, one implementation for both places it is computed (the driver,
 * or the averaging tasks on the executors, one slice each): weights in double, summed in worker order, rounded to
 * float once — so both give the same bits. The mean of a single worker's vector is that vector itself, returned
 * without arithmetic: a round of one worker costs no pass over the model (and a −0 stays −0, which adding it to a
 * zero sum would turn into +0), so one worker averaging every step is plain single-machine SGD bit for bit.
 */
final class WeightedMean {
    /** Floats read or written per pass through the small array of {@link #add(int, FloatBuffer)} (64 KiB). */
    private static final int CHUNK = 16384;
    private final double[] weights;
    private final int length;
    private double[] sum;           // the weighted sum, in worker order, from the first add; unused for one worker
    private float[] single;         // a single worker's vector, once added

    /** A mean of vectors of {@code length} values with the workers' {@code weights} ({@link #weights}). */
    WeightedMean(double[] weights, int length) {
        if (weights.length == 0) {
            throw new IllegalArgumentException("a mean of no workers");
        }
        this.weights = weights;
        this.length = length;
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
        add(w, FloatBuffer.wrap(v));
    }

    /**
     * sum[i] += weight_w · v[i] for the floats of {@code v} from its position on (a block's floats in place, read in
     * chunks through a small array); of a single worker, keeps a copy.
     */
    void add(int w, FloatBuffer v) {
        checkLength(v);
        if (weights.length == 1) {
            single = new float[v.remaining()];
            v.get(v.position(), single);
            return;
        }
        if (sum == null) {
            sum = new double[length];
        }
        double weight = weights[w];
        float[] chunk = new float[Math.min(CHUNK, length)];
        for (int at = 0; at < length; at += chunk.length) {
            int n = Math.min(chunk.length, length - at);
            v.get(v.position() + at, chunk, 0, n);
            for (int j = 0; j < n; j++) {
                sum[at + j] += weight * chunk[j];
            }
        }
    }

    /** The mean rounded to float; of a single worker, its vector as added (the same array). */
    float[] floats() {
        if (weights.length == 1) {
            return single();
        }
        double[] total = sum();
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = (float) total[i];
        }
        return out;
    }

    /**
     * Writes the mean of {@code all} workers' vectors, in worker order, into {@code out} at its position: the bits of
     * {@link #add}ing each and {@link #writeTo}, in one pass over them (a chunk at a time, summed in double in worker
     * order), with no vector-long sum. For a mean that has had nothing added.
     */
    void writeMeanOf(FloatBuffer[] all, FloatBuffer out) {
        if (all.length != weights.length || single != null || sum != null) {
            throw new IllegalStateException(all.length + " vectors for a mean of " + weights.length + " workers"
                    + (single != null || sum != null ? " that already has some" : ""));
        }
        for (FloatBuffer v : all) {
            checkLength(v);
        }
        if (weights.length == 1) {
            out.put(all[0].slice(all[0].position(), length));
            return;
        }
        int c = Math.min(CHUNK, length);
        float[] in = new float[c];
        double[] acc = new double[c];
        float[] rounded = new float[c];
        for (int at = 0; at < length; at += c) {
            int n = Math.min(c, length - at);
            Arrays.fill(acc, 0, n, 0.0);
            for (int w = 0; w < all.length; w++) {
                all[w].get(all[w].position() + at, in, 0, n);
                double weight = weights[w];
                for (int j = 0; j < n; j++) {
                    acc[j] += weight * in[j];
                }
            }
            putRounded(acc, 0, n, rounded, out);
        }
    }

    private void checkLength(FloatBuffer v) {
        if (v.remaining() < length) {
            throw new IllegalArgumentException("a vector of " + v.remaining() + " values for a mean of " + length);
        }
    }

    private double[] sum() {
        if (sum == null) {
            throw new IllegalStateException("no worker's vector was added");
        }
        return sum;
    }

    /** Values of the mean, rounded to float: {@link #floats()}'s, written into {@code out} at its position. */
    void writeTo(FloatBuffer out) {
        if (weights.length == 1) {
            out.put(single());
            return;
        }
        double[] total = sum();
        float[] chunk = new float[Math.min(CHUNK, length)];
        for (int at = 0; at < length; at += chunk.length) {
            putRounded(total, at, Math.min(chunk.length, length - at), chunk, out);
        }
    }

    /** Puts {@code sums[from, from + n)} rounded to float into {@code out}, through {@code scratch}. */
    private static void putRounded(double[] sums, int from, int n, float[] scratch, FloatBuffer out) {
        for (int j = 0; j < n; j++) {
            scratch[j] = (float) sums[from + j];
        }
        out.put(scratch, 0, n);
    }

    private float[] single() {
        if (single == null) {
            throw new IllegalStateException("the worker's vector was not added");
        }
        return single;
    }
}
