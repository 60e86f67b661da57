package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.common.Spark;
import io.pseudolabel.job.common.UsageException;
import io.pseudolabel.job.data.NioLocalFileSystem;
import io.pseudolabel.job.run.RunNotPublishedException;
import io.pseudolabel.onnx.ModelContractException;
import io.pseudolabel.onnx.NativeCalls;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code pseudolabel <command> [options]}, the same after {@code spark-submit --class io.pseudolabel.job.Main}: one
 * picocli {@code @Command} class per command ({@link #COMMANDS}), each a {@link JobCommand}. Exit codes: 0 done,
 * 1 failed (the message says why), 2 bad command line, 3 a label run kept but not published (too many failed
 * images), 4 a label run refused because another run holds or took the output root, 5 a label run kept but not
 * published (label quality dropped).
 */
public final class Main {
    /** The commands, in the order help lists them. */
    static final List<String> COMMANDS = List.of("demo", "validate-models", "label", "finetune-clip", "export",
            "train", "predict", "eval", "review", "eval-classify", "bench");

    /** The benchmarks' command: on the classpath of {@code ./pseudolabel bench} only, never in the cluster jar. */
    static final String BENCH_COMMAND = "io.pseudolabel.job.bench.BenchCommand";

    public static final String COMMON_HELP = "common: --config FILE (HOCON), --conf key=value (repeatable), "
            + "-Dkey=value (JVM), --help (this command's)";

    /** The top-level command: only the list of subcommands and the help around it. */
    @Command(name = "pseudolabel", synopsisHeading = "", customSynopsis = "usage: pseudolabel <command> [options]",
            commandListHeading = "commands:%n", footer = {
                COMMON_HELP,
                "pseudolabel --version: this build's version and commit, and the Spark, DJL, ONNX Runtime and libtorch",
                "                       versions on the classpath",
                "exit status: 0 done, 1 failed, 2 bad command line, 3 label run kept but not published (more failed",
                "             images than pseudolabel.job.max-failed-fraction), 4 output root held by another run,",
                "             5 label run kept but not published (mean quality fell more than",
                "             pseudolabel.job.max-quality-drop)"})
    static final class Top {}

    private Main() {}

    public static void main(String[] args) {
        Outcome o = execute(args, System.out, System.err);
        // The session ends with the command (event log, UI, executors released) before the JVM exits; Main.run
        // leaves it to its caller, which may run more commands on it.
        Spark.stop(System.err);
        exit(o.code(), o.stopTimeoutMillis(), System.err);
    }

    /** How a command ended, and how long the JVM may wait for model calls before it exits. */
    record Outcome(int code, long stopTimeoutMillis) {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return execute(args, out, err).code();
    }

    /**
     * Ends the JVM with {@code code} once no model call is in flight: ONNX Runtime's shutdown hook frees its
     * native environment, and a call still running under it would crash the JVM (SIGSEGV, exit 134, an
     * {@code hs_err} file) instead of exiting with {@code code}. New calls are refused from here on. When
     * calls are still running after the timeout, the JVM halts without running shutdown hooks at all.
     */
    static void exit(int code, long stopTimeoutMillis, PrintStream err) {
        boolean quiet;
        try {
            quiet = NativeCalls.closeAndAwait(stopTimeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            quiet = false;
        }
        if (!quiet) {
            err.printf("error: %d model call(s) still running after %d ms; exiting without shutdown hooks%n",
                    NativeCalls.inFlight(), stopTimeoutMillis);
            err.flush();
            Runtime.getRuntime().halt(code == 0 ? 1 : code);
        }
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The command line: the top command with one subcommand per {@link #COMMANDS} entry present here. */
    static CommandLine commandLine() {
        CommandLine top = new CommandLine(new Top());
        top.addSubcommand(new DemoCommand());
        top.addSubcommand(new ValidateModelsCommand());
        top.addSubcommand(new LabelCommand());
        top.addSubcommand(new FinetuneClipCommand());
        top.addSubcommand(new ExportCommand());
        top.addSubcommand(new TrainCommand());
        top.addSubcommand(new PredictCommand());
        top.addSubcommand(new EvalCommand());
        top.addSubcommand(new ReviewCommand());
        top.addSubcommand(new ClassifyCommand());
        benchCommand().ifPresent(top::addSubcommand);
        top.setUsageHelpWidth(120);
        for (CommandLine sub : top.getSubcommands().values()) {
            sub.setUsageHelpWidth(120);
        }
        return top;
    }

    /** {@code bench}, when the benchmarks are on the classpath (the launcher puts them there for bench only). */
    static Optional<Object> benchCommand() {
        try {
            return Optional.of(Class.forName(BENCH_COMMAND).getDeclaredConstructor().newInstance());
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + BENCH_COMMAND, e);
        }
    }

    static Outcome execute(String[] args, PrintStream out, PrintStream err) {
        NioLocalFileSystem.installAsDefault();
        CommandLine top = commandLine();
        if (args.length == 0) {
            return usage("no command given", top, err);
        }
        if (args[0].equals("--version") || args[0].equals("version") || args[0].equals("-V")) {
            out.print(Version.describe());
            return new Outcome(0, 0);
        }
        if (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            CommandLine sub = args.length > 1 ? top.getSubcommands().get(args[1]) : null;
            out.print((sub != null ? sub : top).getUsageMessage());
            return new Outcome(0, 0);
        }
        if (args[0].equals("bench") && !top.getSubcommands().containsKey("bench")) {
            err.println("error: bench: the benchmarks are not on this classpath (the cluster jar leaves them out); "
                    + "run ./pseudolabel bench in a checkout");
            return new Outcome(1, 0);
        }
        CommandLine command;
        JobCommand job;
        try {
            ParseResult parsed = top.parseArgs(args);
            ParseResult sub = parsed.subcommand();
            if (sub == null) {
                return usage("no command given", top, err);
            }
            command = sub.commandSpec().commandLine();
            if (sub.isUsageHelpRequested()) {
                out.print(command.getUsageMessage());
                return new Outcome(0, 0);
            }
            job = (JobCommand) sub.commandSpec().userObject();
        } catch (CommandLine.ParameterException e) {
            CommandLine where = e.getCommandLine();
            return usage(message(e), where == null ? top : where, err);
        }
        Config config;
        long stopTimeout;
        try {
            config = JobConfig.load(job.common().config, job.common().confs);
            stopTimeout = JobSettings.from(config).stopTimeoutMillis();
        } catch (UsageException e) {
            return usage(e.getMessage(), command, err);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return new Outcome(1, 0); // nothing has started yet
        }
        return guarded(stopTimeout, err, command, () -> job.run(config, out));
    }

    /** picocli's parse error in this project's words: the option or argument named, and what to do. */
    static String message(CommandLine.ParameterException e) {
        CommandLine where = e.getCommandLine();
        String name = where == null ? "pseudolabel" : where.getCommandName();
        boolean top = where == null || where.getCommandSpec().userObject() instanceof Top;
        // picocli checks required options before it reports what it could not match: the unknown name first
        List<String> unmatched = e instanceof CommandLine.UnmatchedArgumentException u ? u.getUnmatched()
                : where == null ? List.of() : where.getUnmatchedArguments();
        if (!unmatched.isEmpty()) {
            if (top) {
                return "unknown command '" + unmatched.get(0) + "'";
            }
            List<String> options = unmatched.stream().filter(a -> a.startsWith("-")).toList();
            if (!options.isEmpty()) {
                String option = options.get(0).contains("=") ? options.get(0).substring(0, options.get(0).indexOf('='))
                        : options.get(0);
                List<String> known = new ArrayList<>();
                for (OptionSpec o : where.getCommandSpec().options()) {
                    if (!o.usageHelp() && !o.versionHelp()) {
                        known.add(o.longestName());
                    }
                }
                known.sort(null);
                return "unknown option " + option + " for " + name + "; known: " + String.join(", ", known);
            }
            return "unexpected argument" + (unmatched.size() > 1 ? "s" : "") + " for " + name + ": '"
                    + String.join("', '", unmatched) + "' (options start with --; a value with spaces needs quotes)";
        }
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec missing = m.getMissing().get(0);
            String option = missing instanceof OptionSpec o ? o.longestName() : missing.paramLabel();
            if (e.getMessage().startsWith("Missing required parameter for option")) {
                return option + " needs a value";
            }
            return name + " needs " + option;
        }
        return e.getMessage();
    }

    /** A command's body; returns its exit code. */
    interface Body {
        int run() throws Exception;
    }

    /**
     * Runs {@code body}: a usage error exits 2, a failure prints its message and exits 1 once the Spark
     * tasks it left running have stopped (see {@link Spark#cancelAndAwait}).
     */
    static Outcome guarded(long stopTimeout, PrintStream err, Body body) {
        return guarded(stopTimeout, err, null, body);
    }

    static Outcome guarded(long stopTimeout, PrintStream err, CommandLine command, Body body) {
        try {
            return new Outcome(body.run(), stopTimeout);
        } catch (UsageException e) {
            Outcome o = usage(e.getMessage(), command, err);
            return new Outcome(o.code(), stopTimeout);
        } catch (RunNotPublishedException e) {
            // A run that ended without publishing (failure gate, output root busy, lost compare-and-set): no
            // task is left running, and its own exit code tells the scheduler which.
            err.println("error: " + e.getMessage());
            return new Outcome(e.exitCode(), stopTimeout);
        } catch (ModelContractException | IllegalArgumentException | UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return failed(stopTimeout, err);
        } catch (Exception e) {
            err.println("error: " + e);
            e.printStackTrace(err);
            return failed(stopTimeout, err);
        }
    }

    private static Outcome usage(String message, CommandLine command, PrintStream err) {
        err.println("error: " + message);
        err.print(command == null ? commandLine().getUsageMessage() : command.getUsageMessage());
        return new Outcome(2, 0);
    }

    /** A failed command: the tasks it leaves running are cancelled and awaited before anything else happens. */
    private static Outcome failed(long stopTimeout, PrintStream err) {
        try {
            Spark.cancelAndAwait(stopTimeout, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Outcome(1, stopTimeout);
    }
}
