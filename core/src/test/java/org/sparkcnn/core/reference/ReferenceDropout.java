package org.sparkcnn.core.reference;

import java.util.SplittableRandom;

/**
 * Inverted dropout with the production layer's masks: example element i (c-order) is kept, scaled by 1/(1 − rate),
 * when the i-th draw of {@code new SplittableRandom(noiseSeed).nextDouble()} is at least the rate; identity at
 * inference.
 */
final class ReferenceDropout implements ReferenceLayer {
    private final double rate;
    private double[] mask;

    ReferenceDropout(double rate) {
        this.rate = rate;
    }

    @Override
    public double[] forward(double[] x, int n, double[] params, boolean training, long noiseSeed) {
        if (!training) {
            mask = null;
            return x;
        }
        SplittableRandom rng = new SplittableRandom(noiseSeed);
        mask = new double[x.length];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            mask[i] = rng.nextDouble() >= rate ? 1 / (1 - rate) : 0;
            y[i] = x[i] * mask[i];
        }
        return y;
    }

    @Override
    public double[] backward(double[] gradOut, int n, double[] params, double[] grads) {
        if (mask == null) {
            return gradOut;
        }
        double[] dx = new double[gradOut.length];
        for (int i = 0; i < dx.length; i++) {
            dx[i] = gradOut[i] * mask[i];                 // y = x · m
        }
        return dx;
    }
}
