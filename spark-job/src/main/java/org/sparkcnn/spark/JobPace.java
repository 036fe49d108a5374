package org.sparkcnn.spark;

/**
 * How many rounds the next job of several rounds may run: as many as fit in a target time at the pace of the last
 * job, so that a job's fixed cost (scheduling, the model's trip) is paid once per about {@code targetSeconds}, while
 * progress, the round timeout and a retried task still see work in pieces of that size. Starts at one round; a
 * target of 0 keeps one round per job.
 */
final class JobPace {
    private final double targetSeconds;
    private double secondsPerRound = Double.NaN;

    JobPace(double targetSeconds) {
        this.targetSeconds = targetSeconds;
    }

    /** The rounds the next job may run (at least one). */
    int rounds() {
        if (!(targetSeconds > 0) || Double.isNaN(secondsPerRound)) {
            return 1;
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.floor(targetSeconds / Math.max(1e-6,
                secondsPerRound))));
    }

    /** Records a job of {@code rounds} rounds that took {@code seconds}. */
    void ran(int rounds, double seconds) {
        secondsPerRound = seconds / rounds;
    }
}
