package org.sparkcnn.core.layers;

import org.sparkcnn.core.Shape;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times LeNet's Java kernels alone, on one image of random values, in microseconds of this thread's CPU per image:
 * im2col of the first and second convolution ({@link Patches#gather}: 1×28×28 and 20×12×12 inputs, 5×5 kernels),
 * col2im of the second ({@link Patches#scatter}), max pooling 2×2 forward and backward after each convolution
 * ({@link PoolWindows}: 20×24×24 and 50×8×8). Four rounds of {@code reps} calls each; the last column hashes every
 * output, so two versions of a kernel can be checked to give the same bits. A benchmark, run by hand, not a test:
 * <pre>
 * mvn -q -B -o -pl core test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp core/target/classes:core/target/test-classes:$(cat /tmp/cp.txt) org.sparkcnn.core.layers.KernelBench [reps=20000]
 * </pre>
 * It measures the kernels between heap arrays only: the moves of each image between ND4J's off-heap arrays and the
 * heap ({@link Images}, the bulk copies in {@link Conv2d} and {@link Pool2d}) are not in it; StepBenchmark times
 * whole layers.
 */
public final class KernelBench {
    private KernelBench() { }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        SplittableRandom rng = new SplittableRandom(1);
        Shape in1 = new Shape(1, 28, 28);
        Shape conv1 = new Shape(20, 24, 24);
        Shape pool1 = new Shape(20, 12, 12);
        Shape conv2 = new Shape(50, 8, 8);
        Shape pool2 = new Shape(50, 4, 4);
        Patches g1 = new Patches(in1, conv1, 5, 5, 1, 0, 0);
        Patches g2 = new Patches(pool1, conv2, 5, 5, 1, 0, 0);
        PoolWindows w1 = new PoolWindows(conv1, pool1, 2, 2);
        PoolWindows w2 = new PoolWindows(conv2, pool2, 2, 2);
        float[] x1 = gaussian(rng, in1.size());
        float[] x2 = gaussian(rng, pool1.size());
        float[] col1 = new float[g1.columnLength()];
        float[] col2 = new float[g2.columnLength()];
        float[] dx2 = new float[pool1.size()];
        int[] bits1 = bits(gaussian(rng, conv1.size()));
        int[] bits2 = bits(gaussian(rng, conv2.size()));
        int[] keys1 = new int[bits1.length];
        int[] keys2 = new int[bits2.length];
        int[] y1 = new int[pool1.size()];
        int[] y2 = new int[pool2.size()];
        int[] at1 = new int[pool1.size()];
        int[] at2 = new int[pool2.size()];
        float[] dy1 = gaussian(rng, pool1.size());
        float[] dy2 = gaussian(rng, pool2.size());
        float[] dp1 = new float[conv1.size()];
        float[] dp2 = new float[conv2.size()];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        String[] names = {"gather1", "gather2", "scatter2", "max1", "max2", "maxBackward1", "maxBackward2"};
        Runnable[] kernels = {
            () -> g1.gather(x1, col1),
            () -> g2.gather(x2, col2),
            () -> g2.scatter(col2, dx2),
            () -> {
                System.arraycopy(bits1, 0, keys1, 0, keys1.length);     // max turns its input into keys in place
                w1.max(keys1, y1, at1, 0);
            },
            () -> {
                System.arraycopy(bits2, 0, keys2, 0, keys2.length);
                w2.max(keys2, y2, at2, 0);
            },
            () -> w1.maxBackward(dy1, at1, 0, dp1),
            () -> w2.maxBackward(dy2, at2, 0, dp2),
        };
        for (int round = 0; round < 4; round++) {
            StringBuilder line = new StringBuilder("us/image:");
            for (int k = 0; k < kernels.length; k++) {
                long began = threads.getCurrentThreadCpuTime();
                for (int r = 0; r < reps; r++) {
                    kernels[k].run();
                }
                double us = (threads.getCurrentThreadCpuTime() - began) / 1e3 / reps;
                line.append(String.format(Locale.ROOT, " %s %.2f", names[k], us));
            }
            int hash = Arrays.deepHashCode(new Object[]{col1, col2, dx2, y1, y2, at1, at2, dp1, dp2});
            System.out.println(line.append(" | outputs hash ").append(hash));
        }
    }

    private static float[] gaussian(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
