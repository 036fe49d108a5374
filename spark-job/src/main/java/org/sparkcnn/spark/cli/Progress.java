package org.sparkcnn.spark.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sparkcnn.spark.RoundStats;

import java.time.Duration;
import java.util.Locale;

/**
 * Driver-side progress: a progress bar (epoch, round, loss, images/s, ETA) on a terminal, plain lines (at most
 * one every few seconds, and at each epoch's end) in a log, or nothing.
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final boolean lines;
    private final int total;
    private final int epochs;
    private final long began = System.nanoTime();
    private final int firstRound;
    private long lastLine;

    private Progress(ProgressBar bar, boolean lines, int total, int done, int epochs) {
        this.bar = bar;
        this.lines = lines;
        this.total = total;
        this.firstRound = done;
        this.epochs = epochs;
    }

    static Progress open(String mode, int totalRounds, int done, int epochs) {
        boolean terminal = System.console() != null;
        boolean useBar = mode.equals("bar") || (mode.equals("auto") && terminal);
        boolean useLines = mode.equals("lines") || (mode.equals("auto") && !terminal);
        ProgressBar bar = null;
        if (useBar) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalRounds).startsFrom(done, Duration.ZERO)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().build();
        }
        return new Progress(bar, useLines, totalRounds, done, epochs);
    }

    void round(RoundStats s, int done, double imagesPerSecond) {
        String msg = String.format(Locale.ROOT, "epoch %d/%d loss %.4f %.0f img/s", s.epoch() + 1, epochs, s.trainLoss(),
                imagesPerSecond);
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(msg);
        }
        long now = System.nanoTime();
        if (lines && (now - lastLine > 5_000_000_000L || done == total)) {
            lastLine = now;
            double elapsed = (now - began) / 1e9;
            int ranHere = done - firstRound;
            double eta = ranHere > 0 ? elapsed / ranHere * (total - done) : 0;
            System.err.printf(Locale.ROOT, "round %d/%d %s ETA %s%n", done, total, msg, clock(eta));
        }
    }

    void message(String text) {
        if (bar != null) {
            bar.setExtraMessage(text);
        }
        if (lines || bar != null) {
            System.err.println(text);
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
