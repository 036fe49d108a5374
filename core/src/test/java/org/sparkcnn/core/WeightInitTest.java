package org.sparkcnn.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Sample mean and variance of each initialization against its definition (fan-in 200, fan-out 50). */
class WeightInitTest {

    @ParameterizedTest
    @CsvSource({
        "zeros, 0",
        "constant0.3, 0",
        "uniform0.05, 0.000833333",       // a^2/3
        "normal0.01, 0.0001",
        "xavier-normal, 0.005",           // 1/n_in
        "xavier-uniform, 0.005",
        "glorot-normal, 0.008",           // 2/(n_in+n_out)
        "glorot-uniform, 0.008",
        "he, 0.01",                       // 2/n_in
    })
    void varianceMatchesTheDefinition(String name, double variance) {
        float[] w = new float[200_000];
        WeightInit.parse(name).fill(w, 200, 50, new SplittableRandom(3));
        double mean = 0;
        for (float v : w) {
            mean += v;
        }
        mean /= w.length;
        double var = 0;
        for (float v : w) {
            var += (v - mean) * (v - mean);
        }
        var /= w.length;
        double expectedMean = name.startsWith("constant") ? 0.3 : 0;
        assertEquals(expectedMean, mean, 1e-3 + 0.02 * Math.sqrt(variance));
        assertEquals(variance, var, 0.02 * variance + 1e-12, name);
    }
}
