package org.sparkcnn.tools.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Projects the time of one epoch to more workers and to real links, from what the sweep measured:
 * <pre>
 *   epoch(N, τ, B, link) = ⌈n/N⌉ · c                                     worker compute (n examples per epoch)
 *                        + R · (o + N · f · a + 2 · N · f · 4 bytes / link)   per round: fixed overhead, averaging,
 *                                                                            transfer through the driver
 *   R = ⌈⌈⌈n/N⌉/B⌉ / τ⌉ rounds per epoch
 * </pre>
 * c is one worker's compute seconds per example, o the fixed scheduling+broadcast seconds of a round, a the
 * driver's averaging seconds per worker and float, f the floats a worker ships each way. c, o and a come only
 * from runs with N ≤ cores (runs that time-share cores would inflate c). The transfer term is a parameter-server
 * bound: every byte passes the driver's link, as in Spark's collect (its torrent broadcast is cheaper).
 *
 * @param secondsPerExample c
 * @param fixedSeconds      o
 * @param aggregatePerFloat a
 */
public record CommunicationModel(double secondsPerExample, double fixedSeconds, double aggregatePerFloat) {

    /** A link: its name in tables and its bandwidth in bytes per second (infinite: no transfer cost). */
    public record Link(String name, double bytesPerSecond) { }

    public static final List<Link> LINKS = List.of(
            new Link("no transfer cost", Double.POSITIVE_INFINITY),
            new Link("10 Gbit/s", 10e9 / 8),
            new Link("1 Gbit/s", 1e9 / 8));

    /** Worker counts the report projects to. */
    public static final int[] WORKERS = {1, 2, 4, 8, 16, 32, 64};

    /** Fits c, o and a to the runs with at most {@code cores} workers (all runs when there are none). */
    public static CommunicationModel fit(List<RunResult> runs, int cores) {
        List<RunResult> uncontended = new ArrayList<>();
        for (RunResult r : runs) {
            if (r.workers() <= cores) {
                uncontended.add(r);
            }
        }
        if (uncontended.isEmpty()) {
            uncontended = runs;
        }
        double[] c = new double[uncontended.size()];
        double[] o = new double[uncontended.size()];
        double[] a = new double[uncontended.size()];
        for (int i = 0; i < c.length; i++) {
            RunResult r = uncontended.get(i);
            double perWorker = (double) r.localSteps() * r.batch();
            c[i] = r.meanCompute() / perWorker;
            o[i] = r.meanSchedulingBroadcast();
            a[i] = r.meanAggregate() / ((double) r.workers() * r.shippedFloats());
        }
        return new CommunicationModel(RunResult.median(c), RunResult.median(o), RunResult.median(a));
    }

    /** Rounds in one epoch of {@code n} examples: the largest shard's batches, τ per round. */
    public static long roundsPerEpoch(int n, int workers, int tau, int batch) {
        long shard = ceilDiv(n, workers);
        return ceilDiv(ceilDiv(shard, batch), tau);
    }

    /** Projected seconds of one epoch (see the class comment). */
    public double epochSeconds(int n, int workers, int tau, int batch, long shippedFloats, Link link) {
        double transfer = Double.isInfinite(link.bytesPerSecond()) ? 0
                : 2.0 * workers * shippedFloats * 4 / link.bytesPerSecond();
        double perRound = fixedSeconds + workers * shippedFloats * aggregatePerFloat + transfer;
        return ceilDiv(n, workers) * secondsPerExample + roundsPerEpoch(n, workers, tau, batch) * perRound;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
