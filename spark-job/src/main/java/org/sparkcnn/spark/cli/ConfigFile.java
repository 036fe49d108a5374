package org.sparkcnn.spark.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * {@code --config FILE}: a Java properties file whose keys are the subcommand's long option names without the
 * dashes ({@code local-steps = 5}), plus any {@code spark.*} key, which goes to SparkConf. Its values come first
 * on the command line, so flags given explicitly override them. A boolean key takes {@code true} or {@code false}
 * both ways: {@code average-updater-state = false} and {@code no-average-updater-state = true} both turn the option
 * off. An unknown key is an error naming the file.
 */
final class ConfigFile {
    private ConfigFile() { }

    static String[] expand(String[] args) {
        int at = -1;
        String file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                at = i;
                file = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                at = i;
                file = args[i].substring("--config=".length());
            }
        }
        if (file == null || args.length == 0) {
            return args;
        }
        CommandLine sub = new CommandLine(new Main()).getSubcommands().get(args[0]);
        if (sub == null) {
            return args;
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(file))) {
            props.load(r);
        } catch (IOException e) {
            throw new UserError("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, OptionSpec> options = sub.getCommandSpec().optionsMap();
        List<String> out = new ArrayList<>();
        out.add(args[0]);
        for (Map.Entry<String, String> e : new TreeMap<>(toMap(props)).entrySet()) {
            String key = e.getKey().trim();
            String value = e.getValue().trim();
            if (key.startsWith("spark.")) {
                out.add("--conf");
                out.add(key + "=" + value);
                continue;
            }
            OptionSpec o = options.get("--" + key);
            boolean negated = false;
            if (o == null && key.startsWith("no-")) {             // the negative form of a negatable option
                OptionSpec positive = options.get("--" + key.substring(3));
                if (positive != null && positive.negatable()) {
                    o = positive;
                    negated = true;
                }
            }
            if (o == null || key.equals("config")) {
                throw new UserError("config file " + file + ": unknown key '" + key + "'");
            }
            if (o.type() == boolean.class || o.type() == Boolean.class) {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new UserError("config file " + file + ": key '" + key + "' must be true or false, got '"
                            + value + "'");
                }
                String name = o.longestName().substring(2);
                if (value.equals("true") != negated) {
                    out.add("--" + name);
                } else if (o.negatable()) {
                    out.add("--no-" + name);
                }
            } else {
                out.add("--" + key);
                out.add(value);
            }
        }
        for (int i = 1; i < args.length; i++) {
            boolean isConfigFlag = i == at || (i == at + 1 && args[at].equals("--config"));
            if (!isConfigFlag) {
                out.add(args[i]);
            }
        }
        return out.toArray(new String[0]);
    }

    private static Map<String, String> toMap(Properties p) {
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }
}
