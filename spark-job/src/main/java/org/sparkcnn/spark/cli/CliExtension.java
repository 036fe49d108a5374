package org.sparkcnn.spark.cli;

import java.util.List;

/**
 * What another module adds to {@code spark-cnn}, found with {@link java.util.ServiceLoader} on the class path
 * (a {@code META-INF/services/org.sparkcnn.spark.cli.CliExtension} file): subcommands, such as the tools module's
 * {@code export}, and training engines, such as the dl4j-spark module's {@code --engine dl4j-spark}. The job jar
 * itself has none.
 */
public interface CliExtension {

    /** Picocli command objects added to {@code spark-cnn} as subcommands. */
    default List<Object> subcommands() {
        return List.of();
    }

    /** Training engines besides {@code native}, selected with {@code train --engine NAME}. */
    default List<TrainEngine> engines() {
        return List.of();
    }
}
