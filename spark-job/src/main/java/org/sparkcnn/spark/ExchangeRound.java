package org.sparkcnn.spark;

import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.spark.exchange.SliceLayout;

import java.io.Serializable;

/**
 * The block groups one round of executor-side averaging reads and writes (see {@link ExecutorAveraging}).
 *
 * @param origin     the model the driver last started the workers from
 * @param averagedIn the previous round's averaged slices, block k = slice k; -1: start from {@code origin}
 * @param statesIn   the previous round's per-worker optimizer states, block w = worker w's; -1: from {@code origin}
 *                   (unused when the state is averaged)
 * @param slicesOut  this round's worker slices, block w·K + k = slice k of worker w's vector
 * @param statesOut  this round's per-worker optimizer states (-1 when the state is averaged)
 * @param layout     the exchanged vector — the parameters, followed by the optimizer state when it is averaged — cut
 *                   into K slices
 */
record ExchangeRound(Broadcast<ModelVectors> origin, int averagedIn, int statesIn, int slicesOut, int statesOut,
                     SliceLayout layout) implements Serializable {
}
