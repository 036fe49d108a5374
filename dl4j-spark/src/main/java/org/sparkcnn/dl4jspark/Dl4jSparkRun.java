package org.sparkcnn.dl4jspark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.core.Network;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.spark.DistributedEvaluation;
import org.sparkcnn.spark.TrainingPlan;
import org.sparkcnn.spark.cli.TrainEngine;
import org.sparkcnn.spark.cli.UserError;
import org.sparkcnn.spark.data.ArraySource;
import org.sparkcnn.spark.data.Layout;
import org.sparkcnn.spark.data.Shards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code train --engine dl4j-spark}: the same architecture, initial parameters, data, batch, workers and τ through
 * Deeplearning4j's ParameterAveragingTrainingMaster; evaluated and written exactly like the native engine (no
 * rounds.csv: DL4J's trainer reports no per-round statistics). With {@code --eval-every-rounds K} the model is
 * evaluated after every K averaging rounds (between DL4J fit calls; not counted as training time).
 */
final class Dl4jSparkRun implements TrainEngine {

    @Override
    public String name() {
        return "dl4j-spark";
    }

    /** Kryo also gets ND4J's serializer and stops requiring registration (DL4J ships many unregistered classes). */
    @Override
    public void configure(SparkConf conf) {
        Dl4jSparkEngine.configure(conf);
    }

    @Override
    public int train(Run run) throws Exception {
        JavaSparkContext sc = run.sc();
        TrainingPlan plan = run.plan();
        Dl4jSparkEngine engine;
        try {
            engine = new Dl4jSparkEngine(sc, plan);
        } catch (IllegalArgumentException e) {
            throw new UserError("--engine dl4j-spark: " + e.getMessage());
        }
        float[] initial = new Network(plan.spec()).initialize(run.seed()).params().toFloatVector();
        boolean lines = !run.progress().equals("none");
        Shards testBc = Shards.place(sc, new ArraySource(run.test(), "test set"), plan.workers(),
                plan.spec().outputs(), Layout.sourceOrder(run.test().size()));
        List<Map<String, Object>> evaluations = new ArrayList<>();
        int evalEveryRounds = run.evalEveryRounds();
        int chunk = evalEveryRounds > 0 ? evalEveryRounds : 10;
        Dl4jSparkEngine.Result r = engine.train(run.train(), initial, chunk, (epoch, rounds, examples, seconds, params) -> {
            if (lines) {
                System.err.printf(Locale.ROOT, "epoch %d/%d: %d examples, %.0f img/s%n", epoch + 1, plan.epochs(),
                        examples, examples / Math.max(1e-9, seconds));
            }
            if (evalEveryRounds > 0) {
                Metrics m = evaluate(sc, plan, params, testBc);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("round", rounds);
                row.put("epoch", epoch + 1);
                row.put("examples", examples);
                row.put("trainSeconds", seconds);
                row.put("accuracy", m.accuracy());
                row.put("loss", m.loss());
                evaluations.add(row);
            }
        });
        Metrics m = evaluate(sc, plan, r.params(), testBc);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("trainExamples", r.examples());
        extra.put("trainSeconds", r.trainSeconds());
        extra.put("imagesPerSecond", r.trainSeconds() > 0 ? r.examples() / r.trainSeconds() : 0);
        extra.put("rounds", r.averagings());
        extra.put("engine", "dl4j-spark");
        extra.put("master", sc.master());
        extra.put("parameters", plan.spec().paramCount());
        if (!evaluations.isEmpty()) {
            extra.put("evaluations", evaluations);
        }
        extra.put("configuration", run.configuration());
        run.outputs().writeResults(plan.spec(), r.params(), m, extra, null);
        System.out.println(m.toTable());
        System.out.printf(Locale.ROOT, "wrote %s (model.scnn, metrics.json)%n", run.outputs().dir());
        return 0;
    }

    private static Metrics evaluate(JavaSparkContext sc, TrainingPlan plan, float[] params, Shards test) {
        return Metrics.of(DistributedEvaluation.evaluate(sc, plan.spec(), params, test));
    }
}
