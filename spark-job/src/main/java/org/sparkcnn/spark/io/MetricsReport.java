package org.sparkcnn.spark.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.sparkcnn.core.eval.Metrics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics.json contract (stable; users' scripts rely on it): {@code accuracy}, {@code loss},
 * {@code examples}, {@code perClass} (one object per class: label, precision, recall, f1, support),
 * {@code macroPrecision}, {@code macroRecall}, {@code macroF1}, {@code confusionMatrix} (rows = true label,
 * columns = predicted), plus whatever training fields the caller adds (trainExamples, trainSeconds,
 * imagesPerSecond, configuration, …).
 */
public final class MetricsReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MetricsReport() { }

    /** The evaluation fields, in a stable order. */
    public static Map<String, Object> evaluation(Metrics m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accuracy", m.accuracy());
        out.put("loss", m.loss());
        out.put("examples", m.examples());
        List<Map<String, Object>> per = new ArrayList<>();
        for (Metrics.PerClass p : m.perClass()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("label", p.label());
            c.put("precision", p.precision());
            c.put("recall", p.recall());
            c.put("f1", p.f1());
            c.put("support", p.support());
            per.add(c);
        }
        out.put("perClass", per);
        out.put("macroPrecision", m.macroPrecision());
        out.put("macroRecall", m.macroRecall());
        out.put("macroF1", m.macroF1());
        out.put("confusionMatrix", m.confusionMatrix());
        return out;
    }

    public static byte[] toJson(Map<String, Object> report) throws IOException {
        return JSON.writeValueAsBytes(report);
    }

    public static String toJsonString(Object value) {
        try {
            return new ObjectMapper().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new java.io.UncheckedIOException(e);       // maps of numbers, strings and lists always serialize
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(byte[] json) throws IOException {
        return JSON.readValue(json, Map.class);
    }
}
