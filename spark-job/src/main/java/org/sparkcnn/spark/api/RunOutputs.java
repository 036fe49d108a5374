package org.sparkcnn.spark.api;

import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.core.ModelSpec;
import org.sparkcnn.core.eval.Metrics;
import org.sparkcnn.core.io.ModelFile;
import org.sparkcnn.spark.RoundStats;
import org.sparkcnn.spark.TrainingState;
import org.sparkcnn.spark.io.Checkpoint;
import org.sparkcnn.spark.io.MetricsReport;
import org.sparkcnn.spark.io.RoundsCsv;
import org.sparkcnn.spark.io.Storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The files of a training run under {@code --out}: model.scnn, metrics.json, rounds.csv and checkpoints/. */
public final class RunOutputs {
    private final Storage storage;
    private final String out;
    private final int keepCheckpoints;

    /** Outputs under {@code out}, keeping the newest {@code keepCheckpoints} checkpoints (0: all). */
    public RunOutputs(Storage storage, String out, int keepCheckpoints) {
        this.storage = storage;
        this.out = out;
        this.keepCheckpoints = keepCheckpoints;
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
        writeResults(spec, params, Optional.of(m), extra, rounds);
    }

    /** As above, with metrics.json holding only {@code extra} when there is no evaluation. */
    void writeResults(ModelSpec spec, float[] params, Optional<Metrics> m, Map<String, Object> extra,
                      List<RoundStats> rounds) throws IOException {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ModelFile.writeTo(model, spec, Nd4j.createFromArray(params));
        storage.write(Storage.join(out, "model.scnn"), model.toByteArray());
        if (rounds != null) {
            RoundsCsv.write(storage, Storage.join(out, "rounds.csv"), rounds);
        }
        Map<String, Object> report = m.map(MetricsReport::evaluation).orElseGet(java.util.LinkedHashMap::new);
        report.putAll(extra);
        storage.write(Storage.join(out, "metrics.json"), MetricsReport.toJson(report));
    }

    /**
     * Writes rounds.csv up to {@code state}, then the checkpoint (both atomically), then deletes checkpoints older
     * than the newest {@code keepCheckpoints}. In this order a kill between the two writes leaves a rounds.csv that is
     * ahead of the newest checkpoint, and --resume keeps only its rows before the checkpoint's round; a kill while
     * deleting leaves only extra old checkpoints.
     */
    void checkpoint(String configText, TrainingState state, List<RoundStats> rounds, String history) {
        try {
            RoundsCsv.write(storage, Storage.join(out, "rounds.csv"), rounds);
            storage.write(Storage.join(checkpoints(), Checkpoint.fileName(state.globalRound())),
                    new Checkpoint(configText, state, history).toBytes());
            if (keepCheckpoints > 0) {
                List<String> names = checkpointNames();
                for (String old : names.subList(0, Math.max(0, names.size() - keepCheckpoints))) {
                    storage.delete(Storage.join(checkpoints(), old));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + checkpoints() + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint files, oldest first (their names order them by round). */
    List<String> checkpointNames() throws IOException {
        List<String> names = new java.util.ArrayList<>();
        for (String name : storage.list(checkpoints())) {
            if (name.startsWith("checkpoint-") && name.endsWith(".bin")) {
                names.add(name);
            }
        }
        java.util.Collections.sort(names);
        return names;
    }

    /** The newest checkpoint's path, or null when there is none. */
    String latestCheckpointFile() throws IOException {
        List<String> names = checkpointNames();
        return names.isEmpty() ? null : Storage.join(checkpoints(), names.get(names.size() - 1));
    }

    /** The checkpoint at {@code path}. */
    Checkpoint checkpoint(String path) throws IOException {
        return Checkpoint.fromBytes(storage.read(path), path);
    }

    /** The rows of rounds.csv before round {@code before} (for --resume). */
    List<RoundStats> roundsBefore(int before) throws IOException {
        return RoundsCsv.read(storage, Storage.join(out, "rounds.csv"), before);
    }
}
