package org.sparkcnn.core.optim;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each optimizer against the update rule written out by hand, over three steps with changing gradients. */
class OptimizerTest {
    static final double[][] GRADS = {{0.5, -1.0, 2.0}, {0.1, 0.3, -0.7}, {-0.4, 0.2, 0.05}};
    static final double[] START = {1.0, -2.0, 0.5};

    private static double[] run(OptimizerConfig c) {
        Optimizer opt = c.create(3, DataType.DOUBLE);
        INDArray p = Nd4j.createFromArray(START.clone());
        for (int t = 0; t < GRADS.length; t++) {
            opt.step(p, Nd4j.createFromArray(GRADS[t].clone()), new StepTime(t, 0));
        }
        return p.toDoubleVector();
    }

    private static void assertClose(double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12, "component " + i);
        }
    }

    @Test
    void decoupledWeightDecayShrinksTheParametersBeforeTheUpdate() {
        double wd = 0.1;
        OptimizerConfig sgdw = new OptimizerConfig(OptimizerConfig.Kind.SGD, LearningRate.constant(0.1), 0.9, 0.9,
                0.999, 1e-8, 0, wd);
        double[] p = START.clone();
        for (int t = 0; t < GRADS.length; t++) {
            for (int i = 0; i < 3; i++) {
                p[i] = p[i] * (1 - 0.1 * wd) - 0.1 * GRADS[t][i];
            }
        }
        assertClose(p, run(sgdw));
        OptimizerConfig adam = OptimizerConfig.of(OptimizerConfig.Kind.ADAM, 0.01);
        OptimizerConfig adamW = new OptimizerConfig(adam.kind(), adam.learningRate(), adam.momentum(), adam.beta1(),
                adam.beta2(), adam.epsilon(), 0, wd);
        // the gradients do not depend on θ here, so Adam's update u_t is the same with and without the decay:
        // AdamW gives θ_t = θ_{t-1}(1 − ηλ) − u_t
        Optimizer plain = adam.create(3, DataType.DOUBLE);
        INDArray q = Nd4j.createFromArray(START.clone());
        double[] w = START.clone();
        for (int t = 0; t < GRADS.length; t++) {
            double[] before = q.toDoubleVector();
            plain.step(q, Nd4j.createFromArray(GRADS[t].clone()), new StepTime(t, 0));
            double[] after = q.toDoubleVector();
            for (int i = 0; i < 3; i++) {
                w[i] = w[i] * (1 - 0.01 * wd) - (before[i] - after[i]);
            }
        }
        assertClose(w, run(adamW));
    }

    @Test
    void sgdWithL2AndStepDecay() {
        double lambda = 0.01;
        OptimizerConfig c = new OptimizerConfig(OptimizerConfig.Kind.SGD, LearningRate.stepDecay(0.1, 0.5, 2), 0.9,
                0.9, 0.999, 1e-8, lambda);
        double[] p = START.clone();
        for (int t = 0; t < 3; t++) {
            double lr = 0.1 * Math.pow(0.5, t / 2);
            for (int i = 0; i < 3; i++) {
                p[i] -= lr * (GRADS[t][i] + lambda * p[i]);
            }
        }
        assertClose(p, run(c));
    }

    @Test
    void momentum() {
        double lr = 0.1, mu = 0.9;
        double[] p = START.clone();
        double[] v = new double[3];
        for (double[] g : GRADS) {
            for (int i = 0; i < 3; i++) {
                v[i] = mu * v[i] - lr * g[i];
                p[i] += v[i];
            }
        }
        assertClose(p, run(OptimizerConfig.of(OptimizerConfig.Kind.MOMENTUM, lr)));
    }

    @Test
    void nesterovInSutskeverForm() {
        double lr = 0.1, mu = 0.9;
        double[] p = START.clone();
        double[] v = new double[3];
        for (double[] g : GRADS) {
            for (int i = 0; i < 3; i++) {
                double prev = v[i];
                v[i] = mu * v[i] - lr * g[i];
                p[i] += -mu * prev + (1 + mu) * v[i];
            }
        }
        assertClose(p, run(OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, lr)));
    }

    @Test
    void adamAsInKingmaAndBa() {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double[] p = START.clone();
        double[] m = new double[3];
        double[] u = new double[3];
        for (int t = 1; t <= 3; t++) {
            double[] g = GRADS[t - 1];
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            for (int i = 0; i < 3; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                u[i] = b2 * u[i] + (1 - b2) * g[i] * g[i];
                p[i] -= alpha * m[i] / (Math.sqrt(u[i]) + eps);
            }
        }
        assertClose(p, run(OptimizerConfig.of(OptimizerConfig.Kind.ADAM, lr)));
    }

    @Test
    void stateIsOneFlatVectorAndResets() {
        Optimizer adam = OptimizerConfig.of(OptimizerConfig.Kind.ADAM, 0.01).create(3, DataType.FLOAT);
        assertEquals(6, adam.state().length());
        adam.step(Nd4j.createFromArray(1f, 2f, 3f), Nd4j.createFromArray(1f, 1f, 1f), new StepTime(0, 0));
        assertEquals(0.1 * 3 + 0.001 * 3, adam.state().sumNumber().doubleValue(), 1e-6);
        adam.reset();
        assertEquals(0, adam.state().sumNumber().doubleValue());
        assertEquals(0, OptimizerConfig.of(OptimizerConfig.Kind.SGD, 0.1).stateSize(10));
        assertEquals(10, OptimizerConfig.of(OptimizerConfig.Kind.NESTEROV, 0.1).stateSize(10));
    }

    @Test
    void badHyperParametersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LearningRate.constant(-1));
        assertThrows(IllegalArgumentException.class, () -> LearningRate.constant(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.parseKind("rmsprop"));
        assertThrows(IllegalArgumentException.class, () -> new OptimizerConfig(OptimizerConfig.Kind.MOMENTUM,
                LearningRate.constant(0.1), 1.0, 0.9, 0.999, 1e-8, 0));
    }
}
