package org.sparkcnn.spark.api;

/** A setting of a {@link TrainingConfig} or {@link RunOptions} that cannot be used: its name and why. */
public final class ConfigException extends IllegalArgumentException {
    private final String setting;
    private final String problem;

    public ConfigException(String setting, String problem) {
        super(setting + ": " + problem);
        this.setting = setting;
        this.problem = problem;
    }

    /** The setting's name, as the builders spell it ({@code localSteps}). */
    public String setting() {
        return setting;
    }

    /** What is wrong with it, without the name. */
    public String problem() {
        return problem;
    }
}
