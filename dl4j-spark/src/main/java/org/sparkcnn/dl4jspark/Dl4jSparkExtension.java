package org.sparkcnn.dl4jspark;

import org.sparkcnn.spark.cli.CliExtension;
import org.sparkcnn.spark.cli.TrainEngine;

import java.util.List;

/** Adds {@code train --engine dl4j-spark} to {@code spark-cnn} (registered in META-INF/services). */
public final class Dl4jSparkExtension implements CliExtension {
    @Override
    public List<TrainEngine> engines() {
        return List.of(new Dl4jSparkRun());
    }
}
