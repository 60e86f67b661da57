package io.pseudolabel.job;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The options every command takes ({@code --config}, {@code --conf}, {@code --master}), as a picocli mixin. */
public final class CommonOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "HOCON settings over reference.conf")
    String config;

    @Option(names = "--conf", paramLabel = "key=value", description = "one setting (repeatable); wins over --config")
    List<String> confs = new ArrayList<>();

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (spark-submit's, else local[*])")
    String master;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this command's help")
    boolean help;

    /** The Spark master given, or null for spark-submit's (local[*] outside it). */
    public String master() {
        return master;
    }

    /** {@code --master}, or {@code fallback} when none was given. */
    public String master(String fallback) {
        return master == null ? fallback : master;
    }
}
