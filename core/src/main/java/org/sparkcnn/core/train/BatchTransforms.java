package org.sparkcnn.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkcnn.core.Shape;

import java.io.Serializable;

/**
 * What a training minibatch goes through after it is read and before the gradient: image augmentation and label
 * smoothing (Szegedy et al. 2016: targets (1 − ε)·onehot + ε/K). Evaluation reads batches without either.
 *
 * @param augmentation   the geometric augmentation ({@link Augmentation#NONE}: none)
 * @param labelSmoothing ε in [0, 1)
 */
public record BatchTransforms(Augmentation augmentation, double labelSmoothing) implements Serializable {
    public static final BatchTransforms NONE = new BatchTransforms(Augmentation.NONE, 0);

    public BatchTransforms {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
        }
    }

    /**
     * Transforms a (part of a) minibatch in place: x [n, C, H, W] and one-hot y [n, K], whose first example is
     * example {@code first} of the whole minibatch; {@code stepSeed} is the step's seed.
     */
    public void apply(INDArray x, INDArray y, Shape shape, int first, long stepSeed) {
        augmentation.apply(x, shape, first, Seeds.mix(stepSeed, 0xA06));
        if (labelSmoothing > 0) {
            y.muli(1 - labelSmoothing).addi(labelSmoothing / y.size(1));
        }
    }
}
