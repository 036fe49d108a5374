package org.sparkcnn.spark.api;

import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.spark.RoundStats;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a run produced.
 *
 * @param spec    the architecture
 * @param params  the trained parameters, one flat vector in the spec's layout
 * @param test    the test-set metrics of the trained model, when the input has a test set
 * @param rounds  every round's statistics, a resumed run's earlier rounds included
 * @param report  what metrics.json holds (the evaluation, timings, traffic, configuration)
 */
public record TrainingResult(ModelSpec spec, float[] params, Optional<Metrics> test, List<RoundStats> rounds,
                             Map<String, Object> report) {
    public TrainingResult {
        rounds = List.copyOf(rounds);
        report = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(report));
    }

    /** Writes the model in the model.scnn format ({@link ModelFile}). */
    public void writeModel(OutputStream out) throws IOException {
        ModelFile.writeTo(out, spec, Nd4j.createFromArray(params));
    }
}
