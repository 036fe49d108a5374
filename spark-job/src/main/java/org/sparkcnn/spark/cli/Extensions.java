package org.sparkcnn.spark.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** The {@link CliExtension}s on the class path, and the one-line answer when a known one is missing. */
final class Extensions {
    private Extensions() { }

    /** Subcommands and engines that live in other modules, with where to get them. */
    private static Map<String, String> elsewhere() {
        String spark = org.apache.spark.package$.MODULE$.SPARK_VERSION();
        return Map.of(
                "export", "export is in the spark-cnn-tools module, which the shaded job jar does not carry; "
                        + "run it with scripts/spark-cnn export",
                "dl4j-spark", spark.startsWith("3.")
                        ? "--engine dl4j-spark is in the dl4j-spark module, not on this class path; run it with "
                        + "SPARK_CNN_SPARK=3.5 scripts/spark-cnn"
                        : "--engine dl4j-spark needs the Spark 3.5 build (Deeplearning4j's Spark trainer exists for "
                        + "Scala 2.12 only; this is Spark " + spark + "): SPARK_CNN_SPARK=3.5 scripts/spark-cnn, "
                        + "or build with mvn -Pspark-3.5");
    }

    static List<CliExtension> all() {
        List<CliExtension> found = new ArrayList<>();
        ServiceLoader.load(CliExtension.class).forEach(found::add);
        return found;
    }

    static Optional<TrainEngine> engine(String name) {
        return all().stream().flatMap(x -> x.engines().stream()).filter(e -> e.name().equals(name)).findFirst();
    }

    /** Why {@code name} (a subcommand or engine) is not available here, or empty when it is not a known one. */
    static Optional<String> missing(String name) {
        return Optional.ofNullable(elsewhere().get(name));
    }
}
