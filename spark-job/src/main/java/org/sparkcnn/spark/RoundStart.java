package org.sparkcnn.spark;

import org.sparkcnn.spark.exchange.Bfloat16;
import org.sparkcnn.spark.exchange.ExchangePrecision;
import org.sparkcnn.spark.exchange.SliceBlocks;
import org.sparkcnn.spark.exchange.Traffic;

import java.util.stream.IntStream;

/**
 * The exchanged vector a round starts from, on an executor, built once per executor and round
 * ({@link WorkerCache#gathered}): the driver's model after a (re)start; with bf16 deltas, the executor's previous
 * model plus the round's averaged bf16 difference when it holds that model; else the fp32 averaged slices.
 * Both ways give the same bits, because the averaging tasks store exactly {@code base + (float) delta} as the fp32
 * model ({@link SliceAverager}).
 */
final class RoundStart {
    private RoundStart() { }

    static float[] vector(String runId, ExchangeRound x, Traffic traffic, int globalRound) {
        return WorkerCache.gathered(runId, x.startId(), (cachedId, cached) -> {
            if (x.averagedIn() < 0) {
                return slices(x, x.layout().slices(), x::originSlice);
            }
            if (x.deltasIn() >= 0 && cached != null && cachedId == x.baseIn()) {
                float[][] d = SliceBlocks.getAll(x.deltasIn(), all(x), ExchangePrecision.BF16,
                        k -> "averaged bf16 difference, slice " + k + " of round " + globalRound, traffic);
                float[] v = slices(x, d.length, k -> d[k]);
                for (int i = 0; i < v.length; i++) {
                    v[i] = cached[i] + v[i];
                }
                return v;
            }
            float[] v = new float[x.layout().length()];        // each slice read in place into the vector
            SliceBlocks.forEachFp32(x.averagedIn(), all(x), k -> "averaged slice " + k + " of round " + globalRound,
                    traffic, (k, slice) -> slice.get(slice.position(), v, x.layout().from(k), x.layout().size(k)));
            return v;
        });
    }

    /** Adds a bf16-rounded difference to a model slice, as every reader of the round's model must: in float. */
    static float[] plus(float[] base, float[] delta) {
        float[] v = new float[base.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = base[i] + Bfloat16.toFloat(Bfloat16.round(delta[i]));
        }
        return v;
    }

    private static int[] all(ExchangeRound x) {
        return IntStream.range(0, x.layout().slices()).toArray();
    }

    private static float[] slices(ExchangeRound x, int count, java.util.function.IntFunction<float[]> slice) {
        float[] v = new float[x.layout().length()];
        for (int k = 0; k < count; k++) {
            float[] s = slice.apply(k);
            System.arraycopy(s, 0, v, x.layout().from(k), s.length);
        }
        return v;
    }
}
