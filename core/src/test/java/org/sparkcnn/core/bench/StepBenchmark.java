package org.sparkcnn.core.bench;

import org.sparkcnn.core.optim.StepTime;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.Activation;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.OneDnn;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.RuntimeLayers;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.layers.ActivationLayer;
import org.sparkcnn.core.layers.Layer;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.core.train.DataOrder;
import org.sparkcnn.core.train.LocalTrainer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Times the single-threaded training step of a model (LeNet by default) on the MNIST sample: whole
 * {@link LocalTrainer#step}s in images per second and GFLOP/s, then the same step split into its parts (batch fill,
 * gradient zeroing, each layer's forward and backward, the loss, the optimizer), then a raw sgemm of the second
 * convolution's shapes as the BLAS ceiling. A benchmark, run by hand, not a test:
 * <pre>
 * mvn -q -B -o install -DskipTests
 * mvn -q -o -pl core dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp core/target/classes:core/target/test-classes:$(cat /tmp/cp.txt) org.sparkcnn.core.bench.StepBenchmark \
 *     [steps=300] [rounds=3] [batch=64] [spec=lenet] [mflop=13.18] [threads=1]
 * </pre>
 * With {@code threads} &gt; 1 the steps split each minibatch over that many threads (the CPU-time rate then counts
 * only the calling thread and means little; read the wall rate); the breakdown is always single-threaded.
 * {@code mflop} is the model's forward+backward cost per image, used only to print GFLOP/s. Besides wall time it
 * prints the rate per CPU second of the (only) training thread, which is steadier on a machine shared with other
 * jobs; the breakdown and the sgemm use that CPU clock too.
 */
public final class StepBenchmark {
    private StepBenchmark() { }

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        String specText = args.length > 3 ? args[3] : "lenet";
        double mflop = args.length > 4 ? Double.parseDouble(args[4]) : 13.18;
        int stepThreads = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        Nd4j.factory().blas().setMaxThreads(1);
        OneDnn.threadsOnThisThread(1);

        ImageArray data = ImageArray.load(Path.of("data/mnist-sample"), true);
        ModelSpec spec = Presets.resolve(specText);
        LocalTrainer trainer = new LocalTrainer(spec, OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.01), stepThreads);
        trainer.network().initialize(1);
        int[] order = DataOrder.permutation(data.size(), 1, 0);
        int per = data.size() / batch;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int r = 0; r < rounds; r++) {
            long began = System.nanoTime();
            long cpuBegan = threads.getCurrentThreadCpuTime();
            for (int s = 0; s < steps; s++) {
                trainer.step(data, order, (s % per) * batch, batch, new StepTime(s, 0), s);
            }
            double sec = (System.nanoTime() - began) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - cpuBegan) / 1e9;
            double ips = (double) steps * batch / sec;
            double cpuIps = (double) steps * batch / cpu;
            System.out.printf(Locale.ROOT, "round %d: %d steps of %d: %.0f img/s (%.2f GFLOP/s) wall, "
                    + "%.0f img/s (%.2f GFLOP/s) per CPU second of this thread%n", r, steps, batch, ips,
                    ips * mflop / 1e3, cpuIps, cpuIps * mflop / 1e3);
        }
        breakdown(trainer, data, order, batch, steps);
        sgemm(batch * 8 * 8, 500, 50, 200);
    }

    /** The step split into parts, timed by this thread's CPU clock around each; prints ms per step. */
    private static void breakdown(LocalTrainer trainer, ImageArray data, int[] order, int batch, int steps) {
        Network net = trainer.network();
        List<Layer> layers = RuntimeLayers.of(net);
        int end = layers.get(layers.size() - 1) instanceof ActivationLayer a && a.activation() == Activation.SOFTMAX
                ? layers.size() - 1 : layers.size();
        var in = net.spec().input();
        INDArray x = Nd4j.createUninitialized(DataType.FLOAT, new long[]{batch, in.channels(), in.height(), in.width()}, 'c');
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, new long[]{batch, net.spec().outputs()}, 'c');
        INDArray g = Nd4j.createUninitialized(DataType.FLOAT, new long[]{batch, net.spec().outputs()}, 'c');
        long[] fwd = new long[end];
        long[] bwd = new long[end];
        long fill = 0;
        long zero = 0;
        long loss = 0;
        long opt = 0;
        int per = data.size() / batch;
        for (int s = 0; s < steps; s++) {
            long t0 = cpu();
            data.fillBatch(order, (s % per) * batch, batch, x, y);
            long t1 = cpu();
            net.grads().assign(0);
            long t2 = cpu();
            fill += t1 - t0;
            zero += t2 - t1;
            INDArray a = x;
            for (int i = 0; i < end; i++) {
                long b = cpu();
                a = layers.get(i).forward(a, true, s);
                fwd[i] += cpu() - b;
            }
            long t3 = cpu();
            Activation.SOFTMAX.forward(g.assign(a));    // dL/dz = (softmax(z) - y)/N
            g.subi(y).divi(batch);
            long t4 = cpu();
            loss += t4 - t3;
            INDArray d = g;
            for (int i = end - 1; i >= 0; i--) {
                long b = cpu();
                d = layers.get(i).backward(d, i > 0);
                bwd[i] += cpu() - b;
            }
            long t5 = cpu();
            trainer.optimizer().step(net.params(), net.grads(), new StepTime(s, 0));
            opt += cpu() - t5;
        }
        double total = fill + zero + loss + opt;
        System.out.printf(Locale.ROOT, "%-22s %9s %9s%n", "ms per step", "forward", "backward");
        for (int i = 0; i < end; i++) {
            String name = layers.get(i) instanceof ActivationLayer a ? "  " + a.activation().token()
                    : layers.get(i).getClass().getSimpleName();
            System.out.printf(Locale.ROOT, "%-22s %9.3f %9.3f%n", i + " " + name, fwd[i] / 1e6 / steps,
                    bwd[i] / 1e6 / steps);
            total += fwd[i] + bwd[i];
        }
        System.out.printf(Locale.ROOT, "%-22s %9.3f%n", "fillBatch", fill / 1e6 / steps);
        System.out.printf(Locale.ROOT, "%-22s %9.3f%n", "zero grads", zero / 1e6 / steps);
        System.out.printf(Locale.ROOT, "%-22s %9.3f%n", "softmax + loss grad", loss / 1e6 / steps);
        System.out.printf(Locale.ROOT, "%-22s %9.3f%n", "optimizer", opt / 1e6 / steps);
        System.out.printf(Locale.ROOT, "%-22s %9.3f  (%.0f img/s)%n", "total", total / 1e6 / steps,
                batch * steps / (total / 1e9));
    }

    /** A raw [m, k]·[k, n] sgemm into a preallocated result, the shape of the second convolution's forward (CPU time). */
    private static void sgemm(int m, int k, int n, int reps) {
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, new long[]{m, n}, 'c');
        for (int round = 0; round < 3; round++) {
            long began = cpu();
            for (int r = 0; r < reps; r++) {
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            }
            double sec = (cpu() - began) / 1e9;
            System.out.printf(Locale.ROOT, "sgemm [%d,%d]x[%d,%d]: %.3f ms, %.2f GFLOP/s%n", m, k, k, n,
                    sec * 1e3 / reps, 2.0 * m * k * n * reps / sec / 1e9);
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** This thread's CPU time in ns (BLAS runs on it: one thread). */
    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }
}
