package org.sparkcnn.spark.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A stage's metadata in MLlib's layout: one JSON line in {@code PATH/metadata/part-00000} with {@code class},
 * {@code timestamp}, {@code sparkVersion}, {@code uid}, {@code paramMap} (the params set explicitly) and
 * {@code defaultParamMap} (the defaults), each value as its Param's own {@code jsonEncode} writes it. Written and
 * read with public Spark APIs only, so it does not break when MLlib's private helpers change; PipelineModel's loader
 * reads it as it reads MLlib's own.
 *
 * @param className the stage's class, checked on load
 * @param uid       the stage's uid
 * @param json      the whole record
 */
record StageMetadata(String className, String uid, JsonNode json) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes {@code stage}'s metadata under {@code path}. */
    static void save(Params stage, SparkContext sc, String path) {
        ObjectNode m = JSON.createObjectNode();
        m.put("class", stage.getClass().getName());
        m.put("timestamp", System.currentTimeMillis());
        m.put("sparkVersion", sc.version());
        m.put("uid", stage.uid());
        ObjectNode set = m.putObject("paramMap");
        ObjectNode defaults = m.putObject("defaultParamMap");
        for (Param<?> p : stage.params()) {
            @SuppressWarnings("unchecked")
            Param<Object> param = (Param<Object>) p;
            if (stage.isSet(param)) {
                set.set(param.name(), parse(param.jsonEncode(stage.getOrDefault(param))));
            }
            if (stage.hasDefault(param)) {
                defaults.set(param.name(), parse(param.jsonEncode(stage.getDefault(param).get())));
            }
        }
        JavaSparkContext.fromSparkContext(sc).parallelize(List.of(m.toString()), 1)
                .saveAsTextFile(path + "/metadata");
    }

    /** Reads the metadata under {@code path}, refusing one written for another class than {@code expected}. */
    static StageMetadata load(SparkContext sc, String path, Class<?> expected) {
        String line = JavaSparkContext.fromSparkContext(sc).textFile(path + "/metadata", 1).first();
        JsonNode m = parse(line);
        String className = m.path("class").asText();
        if (!className.equals(expected.getName())) {
            throw new IllegalArgumentException(path + " holds a " + className + ", not a " + expected.getName());
        }
        return new StageMetadata(className, m.path("uid").asText(), m);
    }

    /** Sets on {@code stage} the defaults, then the explicitly set params, recorded here (unknown names refused). */
    void applyTo(Params stage) {
        for (String section : new String[] {"defaultParamMap", "paramMap"}) {
            Iterator<Map.Entry<String, JsonNode>> fields = json.path(section).fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (!stage.hasParam(f.getKey())) {
                    throw new IllegalArgumentException("the saved " + className + " has a param " + f.getKey()
                            + " that this version does not know");
                }
                Param<Object> p = stage.getParam(f.getKey());
                Object value = p.jsonDecode(f.getValue().toString());
                if (section.equals("paramMap")) {
                    stage.set(p, value);
                } else {
                    stage.setDefault(p, value);
                }
            }
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable stage metadata: " + e.getMessage(), e);
        }
    }
}
