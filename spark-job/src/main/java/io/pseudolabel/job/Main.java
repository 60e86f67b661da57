package io.pseudolabel.job;

import io.pseudolabel.job.common.UsageException;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.common.Spark;
import com.typesafe.config.Config;
import io.pseudolabel.job.data.NioLocalFileSystem;
import io.pseudolabel.job.run.RunNotPublishedException;
import io.pseudolabel.onnx.ModelContractException;
import io.pseudolabel.onnx.NativeCalls;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code pseudolabel <command> [options]}, the same after {@code spark-submit --class io.pseudolabel.job.Main}.
 * Exit codes: 0 done, 1 failed (the message says why), 2 bad command line, 3 a label run kept but not
 * published (too many failed images), 4 a label run refused because another run holds or took the output root.
 */
public final class Main {
    static final String USAGE = """
            usage: pseudolabel <command> [options]
              demo             [--output DIR] [--train N] [--val N] [--clip-head] [--sam2[=samexporter]]
                               generate synthetic scenes, label them with the fixture models in local[2],
                               train a small DeepLabV3+ on the pseudo-labels, print both mIoUs; --clip-head also
                               fine-tunes a CLIP head for a deliberately confused fixture CLIP and compares it
                               with zero-shot; --sam2 masks with the SAM 2.1 fixture (onnx-community export, or
                               samexporter's)
              validate-models  --models DIR        load DIR/clip, DIR/grounding-dino, DIR/sam and print their formats
                                                   (SAM: the family, SAM 1 or SAM 2.1 and which export)
              label            --images URI --models URI --output URI [--layout folder|voc|coco] [--split NAME]
                               [--annotations COCO_JSON]
                               [--classes voc|coco|FILE] [--supervision none|image-labels|boxes]
                               [--run-id ID] [--incremental] [--clip-head URI] [--master URL]
              finetune-clip    --images URI --labels CSV|folder --output URI [--classes voc|coco|FILE]
                               [--class-map CSV] [--models URI]
                               train LayerNorm + Linear on CLIP image embeddings of a labelled set (CLIP frozen)
              export voc|coco  --labels URI --output PATH [--classes voc|coco|FILE]
                               voc: [--split NAME (train)] [--overwrite]: SegmentationClass/<id>.png and
                               ImageSets/Segmentation/<split>.txt; coco: [--annotations COCO_JSON] one instances
                               JSON with RLE masks, ids of the run's COCO annotations when it labelled a COCO set
              train            --labels URI --output URI [--images DIR] [--rounds R] [--local-steps K]
                               [--workers W] [--classes voc|coco|FILE] [--val-gt VOC_ROOT [--split val]]
                               [--backbone-weights SAFETENSORS_URI]
                               DeepLabV3+ on the pseudo-labels, R synchronous rounds over W Spark workers;
                               the backbone from a torchvision/timm ResNet safetensors file (e.g. ImageNet)
              predict          --model DIR --images URI --output URI [--layout folder|voc] [--split NAME] [--png]
              eval             --pred URI --gt URI [--split NAME] [--classes voc|coco|FILE] [--num-classes N]
                               [--json FILE] [--html FILE] [--samples K]
              review           --labels URI --output DIR [--images URI] [--worst K] [--sample K] [--class NAME]
                               [--compare RUN] [--csv FILE]
                               a static gallery (no ground truth): worst label quality first, a random sample,
                               the images that changed most against another run; --csv lists the worst K
              eval-classify    --images URI --layout voc|coco (--models DIR [--clip-head URI] | --labels URI)
                               [--split NAME (val)]
                               [--annotations COCO_JSON] [--classes voc|coco|FILE] [--output DIR]
                               classification AP per class and mAP of image labels against VOC/COCO objects
              bench            [--images N] [--output DIR] [--only cpu,overlap,spark,memory,eval,train] [--repeats R]
                               [--spark-repeats R]
                               benchmarks against their budgets; a table, bench.md and bench.json in DIR;
                               --only scale (on request): a COCO train2017-shaped night and eval (--images N, 118287)
            common: --config FILE (HOCON), --conf key=value (repeatable), -Dkey=value (JVM), --help (this command's)
            pseudolabel --version: this build's version and commit, and the Spark, DJL, ONNX Runtime and libtorch
                                   versions on the classpath
            exit status: 0 done, 1 failed, 2 bad command line, 3 label run kept but not published (more failed
                         images than pseudolabel.job.max-failed-fraction), 4 output root held by another run,
                         5 label run kept but not published (mean quality fell more than
                         pseudolabel.job.max-quality-drop)
            """;

    /** The commands, in USAGE's order. */
    static final java.util.List<String> COMMANDS = java.util.List.of("demo", "validate-models", "label",
            "finetune-clip", "export", "train", "predict", "eval", "review", "eval-classify", "bench");

    /** {@code command}'s lines of {@link #USAGE} and the common options, for {@code pseudolabel <command> --help}. */
    static String usage(String command) {
        StringBuilder b = new StringBuilder("usage: pseudolabel ");
        boolean in = false;
        for (String line : USAGE.split("\n")) {
            String name = line.length() > 2 && line.startsWith("  ") && line.charAt(2) != ' '
                    ? line.strip().split("\\s+")[0] : null;
            if (name != null) {
                in = name.equals(command) || name.equals(command + "|coco") || name.startsWith(command + "|");
                if (in) {
                    b.append(line.strip().replaceFirst("\\s{2,}", " ")).append('\n');
                    continue;
                }
            } else if (line.startsWith("common:") || line.startsWith("exit status:")) {
                in = false;
            }
            if (in) {
                b.append("  ").append(line.strip()).append('\n');
            }
        }
        for (String line : USAGE.split("\n")) {
            if (line.startsWith("common:")) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }

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

    static Outcome execute(String[] args, PrintStream out, PrintStream err) {
        NioLocalFileSystem.installAsDefault();
        CommandLine cl;
        Config config;
        try {
            // demo --clip-head is a switch; label --clip-head takes a URI
            Set<String> flags = args.length > 0 && args[0].equals("demo") ? Set.of("help", "clip-head", "sam2")
                    : Set.of("incremental", "help", "png", "overwrite");
            if (args.length > 0 && (args[0].equals("--version") || args[0].equals("version"))) {
                out.print(Version.describe());
                return new Outcome(0, 0);
            }
            if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
                out.print(args.length > 1 && COMMANDS.contains(args[1]) ? usage(args[1]) : USAGE);
                return new Outcome(0, 0);
            }
            cl = CommandLine.parse(args, flags);
            if (cl.flag("help") || java.util.Arrays.asList(args).contains("-h")) {
                if (!COMMANDS.contains(cl.command())) {
                    throw new UsageException("unknown command '" + cl.command() + "'");
                }
                out.print(usage(cl.command()));
                return new Outcome(0, 0);
            }
            if (!COMMANDS.contains(cl.command())) {
                throw new UsageException("unknown command '" + cl.command() + "'");
            }
            config = JobConfig.load(cl.get("config"), cl.confs());
        } catch (UsageException e) {
            return usage(e, err);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return new Outcome(1, 0); // nothing has started yet
        }
        long stopTimeout = config.getDuration("pseudolabel.job.stop-timeout", TimeUnit.MILLISECONDS);
        return guarded(stopTimeout, err, () -> switch (cl.command()) {
            case "validate-models" -> Commands.validateModels(cl, config, out);
            case "label" -> Commands.label(cl, config, out);
            case "finetune-clip" -> Commands.finetuneClip(cl, config, out);
            case "eval" -> Commands.eval(cl, config, out);
            case "eval-classify" -> Commands.evalClassify(cl, config, out);
            case "review" -> Commands.review(cl, config, out);
            case "demo" -> Commands.demo(cl, config, out);
            case "export" -> Commands.export(cl, config, out);
            case "train" -> Commands.train(cl, config, out);
            case "predict" -> Commands.predict(cl, config, out);
            case "bench" -> Commands.bench(cl, config, out);
            default -> throw new UsageException("unknown command '" + cl.command() + "'");
        });
    }

    /** A command's body; returns its exit code. */
    interface Command {
        int run() throws Exception;
    }

    /**
     * Runs {@code command}: a usage error exits 2, a failure prints its message and exits 1 once the Spark
     * tasks it left running have stopped (see {@link Spark#cancelAndAwait}).
     */
    static Outcome guarded(long stopTimeout, PrintStream err, Command command) {
        try {
            return new Outcome(command.run(), stopTimeout);
        } catch (UsageException e) {
            Outcome o = usage(e, err);
            return new Outcome(o.code(), stopTimeout);
        } catch (RunNotPublishedException e) {
            // A run that ended without publishing (failure gate, output root busy, lost compare-and-set): no
            // task is left running, and its own exit code tells the scheduler which.
            err.println("error: " + e.getMessage());
            return new Outcome(e.exitCode(), stopTimeout);
        } catch (ModelContractException | IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return failed(stopTimeout, err);
        } catch (Exception e) {
            err.println("error: " + e);
            e.printStackTrace(err);
            return failed(stopTimeout, err);
        }
    }

    private static Outcome usage(UsageException e, PrintStream err) {
        err.println("error: " + e.getMessage());
        err.print(USAGE);
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
