package org.sparkcnn.tools.cli;

import org.sparkcnn.spark.cli.CliExtension;

import java.util.List;

/** Adds {@code export} to {@code spark-cnn} (registered in META-INF/services for {@link CliExtension}). */
public final class ToolsExtension implements CliExtension {
    @Override
    public List<Object> subcommands() {
        return List.of(new ExportCommand());
    }
}
