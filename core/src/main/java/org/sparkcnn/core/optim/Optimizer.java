package org.sparkcnn.core.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

/**
 * Applies one update θ ← θ − step(g) per call. Lifecycle: {@link OptimizerConfig#create} makes zero state,
 * {@link #step} runs many times, {@link #reset} zeroes the state again. The state is one flat vector
 * ({@link #state}) that may be read, replaced or averaged between steps:
 * <ul>
 *   <li>SGD: θ −= η g (no state);</li>
 *   <li>momentum: v = μv − ηg; θ += v (state v);</li>
 *   <li>Nesterov (Sutskever et al. 2013, in the form used by DL4J and Caffe): v' = μv − ηg;
 *       θ += −μv + (1+μ)v' (state v);</li>
 *   <li>Adam (Kingma &amp; Ba 2015, Algorithm 1 with the efficient ordering of Section 2):
 *       m = β1 m + (1−β1) g; u = β2 u + (1−β2) g²; θ −= η √(1−β2^t)/(1−β1^t) · m / (√u + ε) (state m, u).</li>
 * </ul>
 * All arithmetic is in place on preallocated vectors: no allocation per step.
 */
public final class Optimizer {
    private final OptimizerConfig config;
    private final long n;
    private final INDArray state;
    private final INDArray scratch;
    private final INDArray first;
    private final INDArray second;
    private final INDArray decayed;     // 1 where L2 and weight decay apply, 0 in frozen ranges; null: everywhere
    private final Part whole;

    Optimizer(OptimizerConfig config, long n, DataType dtype, List<long[]> frozen) {
        this.config = config;
        this.n = n;
        long size = config.stateSize(n);
        this.state = Nd4j.zeros(dtype, Math.max(size, 1));
        boolean decays = config.l2() > 0 || config.weightDecay() > 0;
        this.decayed = frozen.isEmpty() || !decays ? null : Nd4j.ones(dtype, n);
        for (long[] range : decayed == null ? List.<long[]>of() : frozen) {
            decayed.get(NDArrayIndex.interval(range[0], range[1])).assign(0);
        }
        this.scratch = config.kind() == OptimizerConfig.Kind.SGD && decayed == null ? null : Nd4j.zeros(dtype, n);
        this.first = size > 0 ? state.get(NDArrayIndex.interval(0, n)) : null;
        this.second = size > n ? state.get(NDArrayIndex.interval(n, 2 * n)) : null;
        this.whole = new Part(n, first, second, scratch, decayed);
    }

    public OptimizerConfig config() {
        return config;
    }

    /** The flat state vector (length {@link OptimizerConfig#stateSize}, at least 1); live. */
    public INDArray state() {
        return state;
    }

    public void reset() {
        state.assign(0);
    }

    /**
     * One update of {@code params} with gradient {@code grads} (which may be modified: L2 is added into it) at
     * {@code time}.
     */
    public void step(INDArray params, INDArray grads, StepTime time) {
        whole.step(params, grads, time);
    }

    /** The part [from, to) of the vectors, to be updated on its own (every rule here is element-wise). */
    public Part part(long from, long to) {
        if (from < 0 || to > n || from >= to) {
            throw new IllegalArgumentException("part [" + from + ", " + to + ") of a vector of " + n);
        }
        return new Part(to - from, view(first, from, to), view(second, from, to), view(scratch, from, to),
                view(decayed, from, to));
    }

    private static INDArray view(INDArray v, long from, long to) {
        return v == null ? null : v.get(NDArrayIndex.interval(from, to));
    }

    /**
     * The state and scratch of a range of the parameter vector: {@link #step} updates that range alone, so threads
     * can update disjoint parts of one vector at once.
     */
    public final class Part {
        private final long length;
        private final INDArray v;          // momentum / Nesterov velocity, or Adam's m
        private final INDArray u;          // Adam's u
        private final INDArray tmp;
        private final INDArray decayed;

        private Part(long length, INDArray v, INDArray u, INDArray tmp, INDArray decayed) {
            this.length = length;
            this.v = v;
            this.u = u;
            this.tmp = tmp;
            this.decayed = decayed;
        }

        /** {@link Optimizer#step} on this part: {@code params} and {@code grads} are the part's views. */
        public void step(INDArray params, INDArray grads, StepTime time) {
            double lr = config.learningRate().at(time);
            var blas = Nd4j.getBlasWrapper().level1();
            if (decayed != null) {                                       // the same, outside the frozen ranges
                if (config.l2() > 0) {
                    blas.axpy(length, config.l2(), tmp.assign(params).muli(decayed), grads);
                }
                if (config.weightDecay() > 0) {
                    blas.axpy(length, -lr * config.weightDecay(), tmp.assign(params).muli(decayed), params);
                }
            } else {
                if (config.l2() > 0) {
                    blas.axpy(length, config.l2(), params, grads);       // g += λθ
                }
                if (config.weightDecay() > 0) {
                    params.muli(1 - lr * config.weightDecay());          // θ ← θ − ηλθ (decoupled)
                }
            }
            double mu = config.momentum();
            switch (config.kind()) {
                case SGD -> blas.axpy(length, -lr, grads, params);       // θ -= ηg
                case MOMENTUM -> {
                    v.muli(mu);                                          // v = μv - ηg
                    blas.axpy(length, -lr, grads, v);
                    params.addi(v);                                      // θ += v
                }
                case NESTEROV -> {
                    tmp.assign(v);                                       // v_prev
                    v.muli(mu);                                          // v = μv - ηg
                    blas.axpy(length, -lr, grads, v);
                    blas.axpy(length, -mu, tmp, params);                 // θ += -μ v_prev + (1+μ) v
                    blas.axpy(length, 1 + mu, v, params);
                }
                case ADAM -> {
                    double b1 = config.beta1();
                    double b2 = config.beta2();
                    v.muli(b1);                                          // m = β1 m + (1-β1) g
                    blas.axpy(length, 1 - b1, grads, v);
                    u.muli(b2);                                          // u = β2 u + (1-β2) g²
                    blas.axpy(length, 1 - b2, tmp.assign(grads).muli(grads), u);
                    long step = time.iteration() + 1;
                    double alpha = lr * Math.sqrt(1 - Math.pow(b2, step)) / (1 - Math.pow(b1, step));
                    Transforms.sqrt(tmp.assign(u), false).addi(config.epsilon()).rdivi(v);
                    blas.axpy(length, -alpha, tmp, params);              // θ -= α m / (√u + ε)
                }
            }
        }
    }
}
