package org.sparkcnn.spark.cli;

import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.spark.RoundStats;
import org.sparkcnn.spark.TrainingState;
import org.sparkcnn.spark.io.Checkpoint;
import org.sparkcnn.spark.io.MetricsReport;
import org.sparkcnn.spark.io.Storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** The files of a training run under {@code --out}: model.scnn, metrics.json, rounds.csv and checkpoints/. */
public final class RunOutputs {
    private final Storage storage;
    private final String out;

    RunOutputs(Storage storage, String out) {
        this.storage = storage;
        this.out = out;
    }

    public String dir() {
        return out;
    }

    String checkpoints() {
        return Storage.join(out, "checkpoints");
    }

    /** model.scnn, then rounds.csv (when there are rounds), then metrics.json: the evaluation plus {@code extra}. */
    public void writeResults(ModelSpec spec, float[] params, Metrics m, Map<String, Object> extra, List<RoundStats> rounds)
            throws IOException {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ModelFile.writeTo(model, spec, Nd4j.createFromArray(params));
        storage.write(Storage.join(out, "model.scnn"), model.toByteArray());
        if (rounds != null) {
            RoundsCsv.write(storage, Storage.join(out, "rounds.csv"), rounds);
        }
        Map<String, Object> report = MetricsReport.evaluation(m);
        report.putAll(extra);
        storage.write(Storage.join(out, "metrics.json"), MetricsReport.toJson(report));
    }

    /**
     * Writes rounds.csv up to {@code state}, then the checkpoint (both atomically). In this order a kill between the
     * two leaves a rounds.csv that is ahead of the newest checkpoint, and --resume keeps only its rows before the
     * checkpoint's round.
     */
    void checkpoint(String configText, TrainingState state, List<RoundStats> rounds, String history) {
        try {
            RoundsCsv.write(storage, Storage.join(out, "rounds.csv"), rounds);
            storage.write(Storage.join(checkpoints(), Checkpoint.fileName(state.globalRound())),
                    new Checkpoint(configText, state, history).toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + checkpoints() + ": " + e.getMessage(), e);
        }
    }

    /** The newest checkpoint, or null when there is none. */
    Checkpoint latestCheckpoint() throws IOException {
        String newest = null;
        for (String name : storage.list(checkpoints())) {
            if (name.startsWith("checkpoint-") && name.endsWith(".bin") && (newest == null || name.compareTo(newest) > 0)) {
                newest = name;
            }
        }
        if (newest == null) {
            return null;
        }
        String path = Storage.join(checkpoints(), newest);
        return Checkpoint.fromBytes(storage.read(path), path);
    }

    /** The rows of rounds.csv before round {@code before} (for --resume). */
    List<RoundStats> roundsBefore(int before) throws IOException {
        return RoundsCsv.read(storage, Storage.join(out, "rounds.csv"), before);
    }
}
