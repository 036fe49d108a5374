package org.sparkcnn.spark;

import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.spark.exchange.ExchangePrecision;
import org.sparkcnn.spark.exchange.SliceLayout;

import java.io.Serializable;

/**
 * The block groups one round of executor-side averaging reads and writes (see {@link ExecutorAveraging}). Every
 * model a round can start from has an id: the driver's {@code origin} has {@code originId}, an averaged model the id
 * of its group.
 *
 * @param origin      the model the driver last started the workers from
 * @param originId    its id (drawn like a group's, never holds blocks)
 * @param averagedIn  the previous round's averaged model, block k = slice k in fp32; -1: start from {@code origin}
 * @param deltasIn    bf16 only: the same model as bf16 slices of its difference from model {@code baseIn}, so that
 *                    an executor that holds {@code baseIn} fetches half the bytes; -1: none
 * @param baseIn      the model {@code deltasIn} is a difference from
 * @param statesIn    the previous round's per-worker optimizer states, block w = worker w's; -1: from {@code origin}
 *                    (unused when the state is averaged)
 * @param slicesOut   this round's worker slices, block w·K + k = slice k of worker w's vector (fp32), or of its
 *                    difference from the round's starting model (bf16)
 * @param statesOut   this round's per-worker optimizer states, fp32 (-1 when the state is averaged)
 * @param averagedOut this round's averaged model, fp32
 * @param deltasOut   bf16 only: this round's averaged difference from the starting model (-1 in fp32)
 * @param layout      the exchanged vector — the parameters, followed by the optimizer state when it is averaged — cut
 *                    into K slices
 * @param precision   how worker slices and deltas are stored
 */
record ExchangeRound(Broadcast<ModelVectors> origin, int originId, int averagedIn, int deltasIn, int baseIn,
                     int statesIn, int slicesOut, int statesOut, int averagedOut, int deltasOut, SliceLayout layout,
                     ExchangePrecision precision) implements Serializable {

    /** The id of the model this round starts from. */
    int startId() {
        return averagedIn < 0 ? originId : averagedIn;
    }

    /** Slice {@code k} of the driver's model as the exchanged vector lays it out. */
    float[] originSlice(int k) {
        ModelVectors m = origin.value();
        float[] v = new float[layout.size(k)];
        int from = layout.from(k);
        int p = m.params().length;
        for (int i = 0; i < v.length; i++) {
            int j = from + i;
            v[i] = j < p ? m.params()[j] : m.states()[0][j - p];
        }
        return v;
    }
}
