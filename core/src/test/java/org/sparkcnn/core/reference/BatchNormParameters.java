package org.sparkcnn.core.reference;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Shape;
import org.sparkcnn.core.layers.BatchNormSpec;

import java.util.SplittableRandom;

/** Test values for batch normalization's parameters, away from the initial γ = 1, β = 0, mean 0, variance 1, so
 *  that a kernel mixing up channels or statistics cannot pass. */
final class BatchNormParameters {
    private BatchNormParameters() { }

    /** Writes γ ∈ [0.5, 1.5), β ∈ [−0.5, 0.5), running mean ∈ [−0.5, 0.5), running variance ∈ [0.5, 1.5) of every
     *  batch-norm layer of {@code spec} into {@code params}; returns {@code params}. */
    static INDArray randomize(ModelSpec spec, INDArray params, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long offset = 0;
        for (int i = 0; i < spec.layers().size(); i++) {
            Shape in = spec.inputOf(i);
            if (spec.layers().get(i) instanceof BatchNormSpec) {
                int c = in.channels();
                float[] v = new float[4 * c];
                for (int j = 0; j < v.length; j++) {
                    double shift = j < c || j >= 3 * c ? 1.0 : 0.0;
                    v[j] = (float) (shift + rng.nextDouble() - 0.5);
                }
                params.get(NDArrayIndex.interval(offset, offset + v.length)).assign(Nd4j.createFromArray(v));
            }
            offset += spec.layers().get(i).paramCount(in);
        }
        return params;
    }
}
