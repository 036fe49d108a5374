package org.sparkcnn.tools.report;

import org.sparkcnn.spark.Aggregation;
import org.sparkcnn.spark.exchange.ExchangePrecision;

import java.util.ArrayList;
import java.util.List;

/**
 * A model, not a measurement: projects the time and the bytes of a round to more workers and to real links, for
 * both averaging paths ({@code --aggregation}), from what the sweep measured. With N workers on N machines:
 * <pre>
 *   epoch(N, τ, B, link) = ⌈n/N⌉ · c + R · round(N, link)                 worker compute (n examples per epoch)
 *   round, driver path    = o + N · f · a + 2 · N · f · 4 B / link        fixed overhead, the driver's averaging,
 *                                                                         every byte through the driver's link
 *   round, executor path  = o + f · a + 4 · f · v · (N − 1)/N / link      fixed overhead, N averaging tasks of f/N
 *                                                                         floats × N workers in parallel, each
 *                                                                         machine's link, all in parallel
 *   R = ⌈⌈⌈n/N⌉/B⌉ / τ⌉ rounds per epoch
 * </pre>
 * c is one worker's compute seconds per example, o the fixed scheduling+broadcast seconds of a round, a the
 * averaging seconds per float and worker, f the floats a worker exchanges (parameters, plus averaged optimizer
 * state), v the bytes per exchanged value (4, or 2 with bf16). c, o and a come only from runs with N ≤ cores (runs
 * that time-share cores would inflate c). Transfers count a link's bytes in and out together. The driver path's is
 * a parameter-server bound (Spark's torrent broadcast is cheaper). On the executor path each executor receives slice k of N − 1 other workers and N − 1
 * averaged slices, and sends as much: O(f) whatever N is; the driver receives only the tasks' reports
 * ({@link #REPORT_BYTES_PER_WORKER}). o is taken to be the same on both paths: the executor path's second job per
 * round cost 4.5% more overhead than the driver path for lenet at N = 2 and less for tf-mnist (docs/scaling.md).
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

    /**
     * Bytes the driver receives per worker and round on the executor path: the local-steps task's report and the
     * averaging tasks' byte counts with Spark's task metrics (1.1 KB measured from N = 2 to 64, lenet and tf-mnist,
     * docs/scaling.md). The driver path receives the same besides each worker's vectors.
     */
    public static final long REPORT_BYTES_PER_WORKER = 1_100;

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

    /** Bytes the driver receives per round: N reports, and on the driver path N vectors of f floats. */
    public static long driverBytesPerRound(Aggregation path, int workers, long shippedFloats) {
        return workers * (REPORT_BYTES_PER_WORKER + (path == Aggregation.DRIVER ? 4 * shippedFloats : 0));
    }

    /**
     * Bytes one executor (hosting one of the N workers) receives per round, and as many it sends: on the driver path
     * the model (f floats, fp32); on the executor path 2·f·(N − 1)/N values of {@code precision}.
     */
    public static long executorBytesPerRound(Aggregation path, int workers, long shippedFloats,
                                             ExchangePrecision precision) {
        if (path == Aggregation.DRIVER) {
            return 4 * shippedFloats;
        }
        return 2 * shippedFloats * precision.bytesPerValue() * (workers - 1) / workers;
    }

    /** Projected seconds of one epoch on {@code path} (see the class comment). */
    public double epochSeconds(Aggregation path, int n, int workers, int tau, int batch, long shippedFloats,
                               ExchangePrecision precision, Link link) {
        boolean driver = path == Aggregation.DRIVER;
        double bytes = driver ? 2.0 * workers * shippedFloats * 4
                : 2.0 * executorBytesPerRound(path, workers, shippedFloats, precision);
        double transfer = Double.isInfinite(link.bytesPerSecond()) ? 0 : bytes / link.bytesPerSecond();
        double perRound = fixedSeconds + (driver ? workers : 1) * shippedFloats * aggregatePerFloat + transfer;
        return ceilDiv(n, workers) * secondsPerExample + roundsPerEpoch(n, workers, tau, batch) * perRound;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
