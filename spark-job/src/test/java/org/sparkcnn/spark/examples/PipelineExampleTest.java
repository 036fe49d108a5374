package org.sparkcnn.spark.examples;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.spark.LocalSpark;
import org.sparkcnn.spark.cli.Main;
import org.sparkcnn.spark.io.MetricsReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "Use it from your Spark application": its quotations are the examples' code, and both run. */
class PipelineExampleTest {
    static final Path REPO = Path.of("..");
    static final String EXAMPLES = "spark-job/src/main/java/org/sparkcnn/spark/examples/";

    @Test
    void readmeQuotesTheExamplesLineForLine() throws Exception {
        String readme = Files.readString(REPO.resolve("README.md"));
        Matcher m = Pattern.compile("<!-- quoted from (\\w+\\.java)[^>]*-->\\s*```java\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        List<String> quoted = new ArrayList<>();
        while (m.find()) {
            quoted.add(m.group(1));
            List<String> source = Files.readAllLines(REPO.resolve(EXAMPLES + m.group(1))).stream()
                    .map(String::strip).toList();
            for (String line : m.group(2).split("\n")) {
                assertTrue(line.isBlank() || source.contains(line.strip()),
                        "README quotes a line that " + m.group(1) + " does not have: " + line);
            }
        }
        assertEquals(List.of("PipelineExample.java", "TrainingExample.java"), quoted);
    }

    @Test
    void bothExamplesRunInLocalMode(@TempDir Path tmp) throws Exception {
        Path parquet = tmp.resolve("parquet");
        assertEquals(0, Main.run("convert", "--master", "local[2]", "--out", parquet.toString()));
        SparkSession spark = SparkSession.builder().sparkContext(LocalSpark.start("local[2]").sc()).getOrCreate();
        try {
            double pipeline = PipelineExample.run(spark, parquet.toString(), tmp.resolve("model").toString(), 1, 2);
            assertTrue(pipeline > 0.9, "pipeline accuracy after one epoch " + pipeline);
            assertTrue(Files.isDirectory(tmp.resolve("model/stages")));

            double api = TrainingExample.run(spark, parquet.toString(), tmp.resolve("run").toString(), 1, 2);
            Map<String, Object> metrics = MetricsReport.parse(Files.readAllBytes(tmp.resolve("run/metrics.json")));
            assertEquals(api, ((Number) metrics.get("accuracy")).doubleValue(), 0.0);
            assertEquals(1, ((List<?>) metrics.get("epochMetrics")).size());
        } finally {
            spark.stop();
        }
    }
}
