package org.sparkcnn.core.layers;

import org.sparkcnn.core.Activation;
import org.sparkcnn.core.Shape;

/**
 * Batch normalization (Ioffe &amp; Szegedy 2015) per channel of an image, or per feature of a vector, followed by an
 * activation: in training y = γ (x − μ_B) / √(σ²_B + ε) + β with the minibatch's mean μ_B and biased variance σ²_B
 * over the N·H·W values of the channel; at inference the running estimates take their place. The running estimates
 * move towards each training minibatch's statistics by {@code momentum}: μ ← (1 − m) μ + m μ_B and
 * σ² ← (1 − m) σ² + m σ²_B · M / (M − 1) (PyTorch's convention, M values per channel).
 *
 * <p>Parameters, per channel: γ [C], β [C], then the running mean [C] and running variance [C]. The running
 * statistics live in the flat parameter vector so that they are averaged, checkpointed and saved like the weights;
 * their gradient is always zero and no weight decay or L2 touches them ({@link #statisticsOffset}).
 */
public record BatchNormSpec(double momentum, Activation activation) implements LayerSpec {
    /** The default momentum of the running statistics (PyTorch's). */
    public static final double DEFAULT_MOMENTUM = 0.1;
    /** ε added to the variance. */
    public static final double EPSILON = 1e-5;

    public BatchNormSpec {
        if (!(momentum > 0 && momentum <= 1)) {
            throw new IllegalArgumentException("batchnorm momentum must be in (0, 1], got " + momentum);
        }
        if (activation == Activation.SOFTMAX || activation == Activation.STEP) {
            throw new IllegalArgumentException("batchnorm takes identity, sigmoid, tanh or relu, not "
                    + activation.token());
        }
    }

    @Override
    public Shape outputShape(Shape in) {
        return in;
    }

    @Override
    public long paramCount(Shape in) {
        return 4L * in.channels();
    }

    /** Where the running statistics (mean then variance, 2·C values) start within this layer's parameters. */
    public long statisticsOffset(Shape in) {
        return 2L * in.channels();
    }

    @Override
    public Layer create(Shape in) {
        return new BatchNorm(this, in);
    }

    @Override
    public String token() {
        return "batchnorm" + (momentum != DEFAULT_MOMENTUM ? String.valueOf(momentum) : "")
                + (activation != Activation.IDENTITY ? ":" + activation.token() : "");
    }
}
