package org.sparkcnn.spark.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.spark.RoundStats;
import org.sparkcnn.spark.api.TrainingListener;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Driver-side progress: a progress bar (epoch, round, loss, images/s, ETA) on a terminal, plain lines (at most
 * one every few seconds, and at each epoch's end) in a log, or nothing.
 */
final class Progress implements TrainingListener, AutoCloseable {
    private final String mode;
    private ProgressBar bar;
    private boolean lines;
    private int total;
    private int epochs;
    private long began;
    private int firstRound;
    private long lastLine;

    /** Progress in {@code mode}: auto (a bar on a terminal, lines otherwise), bar, lines or none. */
    Progress(String mode) {
        this.mode = mode;
    }

    @Override
    public void onStart(RunStart start) {
        if (start.firstRound() > 0) {
            System.err.println("resuming from round " + start.firstRound() + " (epoch " + (start.firstEpoch() + 1)
                    + ")");
        }
        start.caveat().ifPresent(c -> System.err.println("warning: " + c));
        boolean terminal = System.console() != null;
        total = start.totalRounds();
        epochs = start.epochs();
        firstRound = start.firstRound();
        began = System.nanoTime();
        lines = mode.equals("lines") || (mode.equals("auto") && !terminal);
        if (mode.equals("bar") || (mode.equals("auto") && terminal)) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(total)
                    .startsFrom(firstRound, Duration.ZERO).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).showSpeed().build();
        }
    }

    @Override
    public void onRound(RoundStats s, int done, double imagesPerSecond) {
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

    @Override
    public void onEpochEnd(int epoch, Optional<Metrics> test) {
        test.ifPresent(m -> message(String.format(Locale.ROOT, "epoch %d: test accuracy %.4f, loss %.4f", epoch + 1,
                m.accuracy(), m.loss())));
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
            bar = null;
        }
    }
}
