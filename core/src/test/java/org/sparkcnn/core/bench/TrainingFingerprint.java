package org.sparkcnn.core.bench;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.Presets;
import org.sparkcnn.core.data.ImageArray;
import org.sparkcnn.core.eval.EvalCounts;
import org.sparkcnn.core.eval.Evaluator;
import org.sparkcnn.core.optim.OptimizerConfig;
import org.sparkcnn.core.train.LocalTrainer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Prints a SHA-256 of the parameter bytes after training a few models with fixed seeds on the MNIST sample (every
 * layer kind, both losses, one and two gradient threads), and the evaluation loss sum of each. Run by hand before
 * and after a refactoring of the kernels that must not change a bit of the trained models (on one machine: BLAS
 * kernels differ between CPUs):
 * <pre>
 * mvn -q -B -pl core test-compile
 * mvn -q -B -pl core dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp core/target/classes:core/target/test-classes:$(cat /tmp/cp.txt) org.sparkcnn.core.bench.TrainingFingerprint
 * </pre>
 */
public final class TrainingFingerprint {
    private TrainingFingerprint() { }

    /** Models covering conv (same/valid, strides), max and average pooling, dense, dropout and both losses. */
    static final String[] SPECS = {
        "lenet",
        "conv5x5x6:same:tanh,avgpool2,conv3x3x8:s2:sigmoid,maxpool2,dense24:relu,dropout0.2,softmax10",
        "conv4x4x4:same:relu,maxpool3:s2,dense16:tanh,dense10:sigmoid,loss=quadratic",
    };

    public static void main(String[] args) throws Exception {
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.factory().blas().setMaxThreads(1);
        ImageArray train = ImageArray.load(Path.of("data/mnist-sample"), true).limit(2000);
        ImageArray test = ImageArray.load(Path.of("data/mnist-sample"), false);
        for (String text : SPECS) {
            ModelSpec spec = Presets.resolve(text);
            for (int threads : new int[]{1, 2}) {
                for (OptimizerConfig.Kind kind : new OptimizerConfig.Kind[]{OptimizerConfig.Kind.NESTEROV,
                        OptimizerConfig.Kind.ADAM}) {
                    double lr = kind == OptimizerConfig.Kind.ADAM ? 0.001 : 0.02;
                    try (LocalTrainer t = new LocalTrainer(spec, OptimizerConfig.of(kind, lr), threads)) {
                        t.network().initialize(11);
                        double[] last = new double[1];
                        t.fit(train, 32, 2, 7, (epoch, it, loss, n) -> last[0] = loss);
                        EvalCounts e = Evaluator.evaluate(t.network(), test, 0, test.size(), 100);
                        System.out.printf(Locale.ROOT, "%-100s T=%d %-8s params sha256 %s  last loss %.17g  "
                                        + "eval loss sum %.17g  correct %d%n", text, threads, kind,
                                sha256(t.network().params()), last[0], e.lossSum(), correct(e));
                    }
                }
            }
        }
    }

    private static String sha256(INDArray params) throws Exception {
        float[] v = params.toFloatVector();
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putInt(Float.floatToRawIntBits(f));
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    }

    private static long correct(EvalCounts e) {
        long c = 0;
        for (int i = 0; i < e.classes(); i++) {
            c += e.confusion()[i][i];
        }
        return c;
    }
}
