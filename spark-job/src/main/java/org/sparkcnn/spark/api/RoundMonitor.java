package org.sparkcnn.spark.api;

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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the driver does between rounds: keeps the round statistics and the training time, tells the listeners,
 * writes checkpoints when there is an output, and evaluates on the test set every K rounds or every epoch when asked
 * (evaluation time is not training time).
 */
final class RoundMonitor implements ParameterAveraging.Listener {
    private final JavaSparkContext sc;
    private final TrainingPlan plan;
    private final Optional<Shards> test;
    private final Optional<RunOutputs> outputs;
    private final String configText;
    private final RunOptions options;
    private final TrainingState first;
    final List<RoundStats> rounds;
    final List<Map<String, Object>> epochMetrics = new ArrayList<>();
    final List<Map<String, Object>> evaluations = new ArrayList<>();
    double trainSeconds;
    long trainExamples;

    RoundMonitor(JavaSparkContext sc, TrainingPlan plan, Optional<Shards> test, Optional<RunOutputs> outputs,
                 String configText, RunOptions options, TrainingState first, List<RoundStats> earlierRounds) {
        this.sc = sc;
        this.plan = plan;
        this.test = test;
        this.outputs = outputs;
        this.configText = configText;
        this.options = options;
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
        double rate = trainExamples / Math.max(1e-9, trainSeconds);
        for (TrainingListener l : options.listeners()) {
            l.onRound(s, next.globalRound(), rate);
        }
        int every = options.evalEveryRounds();
        if (every > 0 && next.globalRound() % every == 0) {
            Metrics m = evaluate(next.state());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("round", next.globalRound());
            row.put("epoch", s.epoch() + 1);
            row.put("examples", trainExamples);
            row.put("trainSeconds", trainSeconds);
            row.put("accuracy", m.accuracy());
            row.put("loss", m.loss());
            evaluations.add(row);
            var e = new TrainingListener.Evaluation(next.globalRound(), s.epoch() + 1, trainExamples, trainSeconds, m);
            options.listeners().forEach(l -> l.onEvaluation(e));
        }
        if (options.checkpointEvery() > 0 && next.globalRound() % options.checkpointEvery() == 0) {
            checkpoint(next.state());                         // after the round's evaluation, which it records
        }
    }

    /** Up to the next round that is evaluated or checkpointed ({@link #onRound} asks for its model). */
    @Override
    public int roundsUntilModelNeeded(int completedRounds) {
        int rounds = Integer.MAX_VALUE;
        for (int every : new int[]{options.evalEveryRounds(), options.checkpointEvery()}) {
            if (every > 0) {
                rounds = Math.min(rounds, every - completedRounds % every);
            }
        }
        return rounds;
    }

    @Override
    public void onEpochEnd(int epoch, RoundEnd next) {
        Optional<Metrics> m = Optional.empty();
        if (options.evalEveryEpoch()) {
            m = Optional.of(evaluate(next.state()));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", epoch + 1);
            row.put("accuracy", m.get().accuracy());
            row.put("loss", m.get().loss());
            epochMetrics.add(row);
        }
        for (TrainingListener l : options.listeners()) {
            l.onEpochEnd(epoch, m);
        }
        if (next.globalRound() > first.globalRound() || next.epoch() > first.epoch()) {
            checkpoint(next.state());                         // after the epoch's evaluation, which it records
        }
    }

    /** rounds.csv and a checkpoint that carries the evaluations made so far (when the run has an output). */
    private void checkpoint(TrainingState state) {
        if (outputs.isEmpty()) {
            return;
        }
        Map<String, Object> history = new LinkedHashMap<>();
        history.put("epochMetrics", epochMetrics);
        history.put("evaluations", evaluations);
        outputs.get().checkpoint(configText, state, rounds, MetricsReport.toJsonString(history));
    }

    /** Restores the evaluations recorded in a checkpoint's history (for a resumed run). */
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

    /** Metrics of {@code state} on the test set, which the caller made sure exists. */
    Metrics evaluate(TrainingState state) {
        return Metrics.of(DistributedEvaluation.evaluate(sc, plan.spec(), state.params(), test.orElseThrow()));
    }
}
