package io.pseudolabel.job;

import com.typesafe.config.Config;

import java.io.PrintStream;

/**
 * One {@code pseudolabel} command: a picocli {@code @Command} class whose fields are its options; {@link Main}
 * parses them, loads the configuration ({@code --config}, {@code --conf}) and calls {@link #run}.
 */
public interface JobCommand {
    /** The command's {@code --config}, {@code --conf} and {@code --master}. */
    CommonOptions common();

    /** Runs the command with its configuration; returns the exit code. */
    int run(Config config, PrintStream out) throws Exception;
}
