package org.sparkcnn.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.OneDnn;
import org.sparkcnn.core.Shape;

/**
 * Which kernel computes a convolution, and the oneDNN one: ND4J's {@code conv2d} and {@code conv2d_bp} ops on NHWC
 * images with OIYX weights (the stored layout), which ND4J's oneDNN build runs as oneDNN primitives JIT-compiled for
 * the CPU. The other kernel is {@link Conv2d}'s im2col + GEMM (whose GEMMs the oneDNN build runs too).
 *
 * <p>The choice ({@link #choose}), from the layer breakdown of StepBenchmark on one core (AVX-512, batch 64, ms per
 * step forward + backward): with 32 input channels (tf-mnist's second convolution, 32 → 64, 14×14) oneDNN takes
 * 6.9 + 16.4 against im2col's 17.6 + 44.0; with 20 (LeNet's second, 20 → 50, 12×12) 1.8 + 6.8 against 2.4 + 4.3,
 * and with 1 (LeNet's first) 0.8 + 2.0 against 1.5 + 0.8: oneDNN's backward always computes the input's gradient,
 * which a first layer does not need, and a oneDNN forward leaves no columns for an im2col backward to reuse. So a
 * layer runs on oneDNN, both ways, when it has at least {@value #MIN_CHANNELS} input channels: in a wider table
 * (docs/performance.md) oneDNN won every layer from 32 channels on, and below that only some (same-padded ones). The system property
 * {@value #PROPERTY} ({@code auto}, {@code im2col}, {@code onednn}) overrides it, for A/B runs and tests;
 * {@code onednn} still falls back to im2col where oneDNN is not loaded or the op cannot express the padding.
 */
record ConvKernel(boolean oneDnn) {
    static final String PROPERTY = "sparkcnn.conv.kernel";
    static final int MIN_CHANNELS = 32;

    static ConvKernel choose(Conv2dSpec spec, Shape in, Shape out) {
        String wanted = System.getProperty(PROPERTY, "auto");
        if (!wanted.equals("auto") && !wanted.equals("im2col") && !wanted.equals("onednn")) {
            throw new IllegalArgumentException(PROPERTY + " must be auto, im2col or onednn, not " + wanted);
        }
        boolean wantsOneDnn = wanted.equals("onednn") || wanted.equals("auto") && in.channels() >= MIN_CHANNELS;
        return new ConvKernel(wantsOneDnn && expressible(spec, in, out) && OneDnn.loaded());
    }

    /**
     * Whether the op's symmetric explicit padding puts the windows where {@link Conv2dSpec} does: the same padding
     * before the first row and column, and the same output size (any extra padding after the last is then unused).
     */
    private static boolean expressible(Conv2dSpec spec, Shape in, Shape out) {
        int ph = spec.padBefore(in.height(), spec.kernelH());
        int pw = spec.padBefore(in.width(), spec.kernelW());
        return (in.height() + 2 * ph - spec.kernelH()) / spec.stride() + 1 == out.height()
                && (in.width() + 2 * pw - spec.kernelW()) / spec.stride() + 1 == out.width();
    }

    /** The ops' integer arguments: kernel, stride, explicit padding, dilation 1, NHWC data, OIYX weights. */
    static int[] opArguments(Conv2dSpec spec, Shape in) {
        return new int[]{spec.kernelH(), spec.kernelW(), spec.stride(), spec.stride(),
                spec.padBefore(in.height(), spec.kernelH()), spec.padBefore(in.width(), spec.kernelW()),
                1, 1, 0, 1, 1};
    }

    /** y [N, oH, oW, F] = conv(x [N, H, W, C], w [F, C, kH, kW]) + b [F], with the calling thread's OpenMP threads. */
    static void forward(int[] args, INDArray x, INDArray w, INDArray b, INDArray y) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, w, b).addOutputs(y)
                .addIntegerArguments(args).build());
    }

    /** dL/dx, dL/dw and dL/db (overwritten) from dL/dy, all NHWC / OIYX as in {@link #forward}. */
    static void backward(int[] args, INDArray x, INDArray w, INDArray b, INDArray gradY,
                         INDArray gradX, INDArray gradW, INDArray gradB) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, b, gradY).addOutputs(gradX, gradW, gradB)
                .addIntegerArguments(args).build());
    }
}
