package org.sparkcnn.spark.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.spark.DistributedEvaluation;
import org.sparkcnn.spark.ParameterAveraging;
import org.sparkcnn.spark.RoundEnd;
import org.sparkcnn.spark.RoundStats;
import org.sparkcnn.spark.TrainingPlan;
import org.sparkcnn.spark.TrainingState;
import org.sparkcnn.spark.data.Shards;
import org.sparkcnn.spark.io.MetricsReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the driver does between rounds of the native engine: keeps the round statistics and the training time,
 * shows progress, writes checkpoints, and evaluates on the test set every K rounds or every epoch when asked
 * (evaluation time is not training time).
 */
final class RoundMonitor implements ParameterAveraging.Listener {
    private final JavaSparkContext sc;
    private final TrainingPlan plan;
    private final Shards test;
    private final Progress progress;
    private final RunOutputs outputs;
    private final String configText;
    private final int checkpointEvery;
    private final int evalEveryRounds;
    private final boolean evalEveryEpoch;
    private final TrainingState first;
    final List<RoundStats> rounds;
    final List<Map<String, Object>> epochMetrics = new ArrayList<>();
    final List<Map<String, Object>> evaluations = new ArrayList<>();
    double trainSeconds;
    long trainExamples;

    RoundMonitor(JavaSparkContext sc, TrainingPlan plan, Shards test, Progress progress,
                 RunOutputs outputs, String configText, TrainCommand.Schedule schedule, TrainingState first,
                 List<RoundStats> earlierRounds) {
        this.sc = sc;
        this.plan = plan;
        this.test = test;
        this.progress = progress;
        this.outputs = outputs;
        this.configText = configText;
        this.checkpointEvery = schedule.checkpointEvery();
        this.evalEveryRounds = schedule.evalEveryRounds();
        this.evalEveryEpoch = schedule.evalEveryEpoch();
        this.first = first;
        this.rounds = new ArrayList<>(earlierRounds);
        for (RoundStats r : earlierRounds) {                 // the rounds before a resumed checkpoint
            trainSeconds += r.wallSeconds();
            trainExamples += r.examples();
        }
    }

    @Override
    public void onRound(RoundStats s, RoundEnd next, int roundsInEpoch) {
        rounds.add(s);
        trainSeconds += s.wallSeconds();
        trainExamples += s.examples();
        progress.round(s, next.globalRound(), trainExamples / Math.max(1e-9, trainSeconds));
        if (evalEveryRounds > 0 && next.globalRound() % evalEveryRounds == 0) {
            Metrics m = evaluate(next.state());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("round", next.globalRound());
            row.put("epoch", s.epoch() + 1);
            row.put("examples", trainExamples);
            row.put("trainSeconds", trainSeconds);
            row.put("accuracy", m.accuracy());
            row.put("loss", m.loss());
            evaluations.add(row);
        }
        if (checkpointEvery > 0 && next.globalRound() % checkpointEvery == 0) {
            checkpoint(next.state());                         // after the round's evaluation, which it records
        }
    }

    @Override
    public void onEpochEnd(int epoch, RoundEnd next) {
        if (evalEveryEpoch) {
            Metrics m = evaluate(next.state());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", epoch + 1);
            row.put("accuracy", m.accuracy());
            row.put("loss", m.loss());
            epochMetrics.add(row);
            progress.message(String.format(Locale.ROOT, "epoch %d: test accuracy %.4f, loss %.4f", epoch + 1,
                    m.accuracy(), m.loss()));
        }
        if (next.globalRound() > first.globalRound() || next.epoch() > first.epoch()) {
            checkpoint(next.state());                         // after the epoch's evaluation, which it records
        }
    }

    /** rounds.csv and a checkpoint that carries the evaluations made so far. */
    private void checkpoint(TrainingState state) {
        Map<String, Object> history = new LinkedHashMap<>();
        history.put("epochMetrics", epochMetrics);
        history.put("evaluations", evaluations);
        try {
            outputs.checkpoint(configText, state, rounds, MetricsReport.toJsonString(history));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Restores the evaluations recorded in a checkpoint's history (for --resume). */
    @SuppressWarnings("unchecked")
    void restore(String historyJson) throws IOException {
        Map<String, Object> history = MetricsReport.parse(historyJson.getBytes(StandardCharsets.UTF_8));
        for (Object row : (List<Object>) history.getOrDefault("epochMetrics", List.of())) {
            epochMetrics.add((Map<String, Object>) row);
        }
        for (Object row : (List<Object>) history.getOrDefault("evaluations", List.of())) {
            evaluations.add((Map<String, Object>) row);
        }
    }

    Metrics evaluate(TrainingState state) {
        return Metrics.of(DistributedEvaluation.evaluate(sc, plan.spec(), state.params(), test));
    }
}
