package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.SplittableRandom;

/** Inverted dropout, seeded per call: mask m_i = [u_i ≥ rate] / (1 − rate), y = x ⊙ m; identity at inference. */
final class Dropout implements Layer {
    private final double rate;
    private INDArray mask;
    private INDArray y;
    private float[] maskValues;

    Dropout(double rate) {
        this.rate = rate;
    }

    @Override
    public INDArray forward(INDArray x, boolean training, long noiseSeed) {
        if (!training || rate == 0) {
            mask = null;
            return x;
        }
        int len = (int) x.length();
        if (maskValues == null || maskValues.length != len) {
            maskValues = new float[len];
        }
        SplittableRandom rng = new SplittableRandom(noiseSeed);
        float keep = (float) (1.0 / (1.0 - rate));
        for (int i = 0; i < len; i++) {
            maskValues[i] = rng.nextDouble() >= rate ? keep : 0f;
        }
        mask = Buffers.reuse(mask, x.shape());
        mask.data().setData(maskValues);
        y = Buffers.reuse(y, x.shape());
        return y.assign(x).muli(mask);
    }

    @Override
    public INDArray backward(INDArray gradOut, boolean needInputGrad) {
        // y = x ⊙ m  =>  dx = g ⊙ m
        return mask == null ? gradOut : gradOut.mul(mask);
    }

}
