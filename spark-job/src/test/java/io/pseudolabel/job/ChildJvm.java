package io.pseudolabel.job;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The start of a test's child JVM command line. */
final class ChildJvm {
    private ChildJvm() {}

    /**
     * This JVM's {@code java}, then {@code options}, then the module openings this JVM runs with (the launcher
     * and spark-submit pass the same on Java 17); the caller adds the classpath, the main class and its arguments.
     */
    static List<String> command(String... options) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(options));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions"))
                .forEach(cmd::add);
        return cmd;
    }
}
