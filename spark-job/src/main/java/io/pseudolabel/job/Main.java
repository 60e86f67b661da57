package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.job.data.NioLocalFileSystem;
import io.pseudolabel.onnx.ModelContractException;

import java.io.PrintStream;
import java.util.Set;

/**
 * {@code pseudolabel <command> [options]}, the same after {@code spark-submit --class io.pseudolabel.job.Main}.
 * Exit codes: 0 done, 1 failed (the message says why), 2 bad command line, 3 a label run kept but not
 * published (too many failed images), 4 a label run refused because another run holds or took the output root.
 */
public final class Main {
    static final String USAGE = """
            usage: pseudolabel <command> [options]
              demo             [--output DIR] [--train N] [--val N] [--clip-head]
                               generate synthetic scenes, label them with the fixture models in local[2],
                               train a small DeepLabV3+ on the pseudo-labels, print both mIoUs; --clip-head also
                               fine-tunes a CLIP head for a deliberately confused fixture CLIP and compares it
                               with zero-shot
              validate-models  --models DIR        load DIR/clip, DIR/grounding-dino, DIR/sam and print their formats
              label            --images URI --models URI --output URI [--layout folder|voc|coco] [--split NAME]
                               [--annotations COCO_JSON]
                               [--classes voc|coco|FILE] [--supervision none|image-labels|boxes]
                               [--run-id ID] [--incremental] [--clip-head URI] [--master URL]
              finetune-clip    --images URI --labels CSV|folder --output URI [--classes voc|coco|FILE]
                               [--class-map CSV] [--models URI]
                               train LayerNorm + Linear on CLIP image embeddings of a labelled set (CLIP frozen)
              export voc|coco  --labels URI --output PATH [--classes voc|coco|FILE]
                               palette PNGs per image, or one COCO instances JSON with RLE masks
              train            --labels URI --output URI [--images DIR] [--rounds R] [--local-steps K]
                               [--workers W] [--classes voc|coco|FILE] [--val-gt VOC_ROOT [--split val]]
                               DeepLabV3+ on the pseudo-labels, R synchronous rounds over W Spark workers
              predict          --model DIR --images URI --output URI [--layout folder|voc] [--split NAME] [--png]
              eval             --pred URI --gt URI [--split NAME] [--classes voc|coco|FILE] [--num-classes N]
                               [--json FILE] [--html FILE] [--samples K]
              eval-classify    --images URI --layout voc|coco (--models DIR [--clip-head URI] | --labels URI)
                               [--split NAME (val)]
                               [--annotations COCO_JSON] [--classes voc|coco|FILE] [--output DIR]
                               classification AP per class and mAP of image labels against VOC/COCO objects
              bench            [--images N] [--output DIR] [--only cpu,overlap,spark,memory,eval,train] [--repeats R]
                               [--spark-repeats R]
                               benchmarks against their budgets; a table, bench.md and bench.json in DIR
            common: --config FILE (HOCON), --conf key=value (repeatable), -Dkey=value (JVM)
            exit status: 0 done, 1 failed, 2 bad command line, 3 label run kept but not published (more failed
                         images than pseudolabel.job.max-failed-fraction), 4 output root held by another run
            """;

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        NioLocalFileSystem.installAsDefault();
        try {
            // demo --clip-head is a switch; label --clip-head takes a URI
            Set<String> flags = args.length > 0 && args[0].equals("demo") ? Set.of("help", "clip-head")
                    : Set.of("incremental", "help", "png");
            CommandLine cl = CommandLine.parse(args, flags);
            if (cl.flag("help") || cl.command().equals("help") || cl.command().equals("--help")) {
                out.print(USAGE);
                return 0;
            }
            Config config = JobConfig.load(cl.get("config"), cl.confs());
            return switch (cl.command()) {
                case "validate-models" -> Commands.validateModels(cl, config, out);
                case "label" -> Commands.label(cl, config, out);
                case "finetune-clip" -> Commands.finetuneClip(cl, config, out);
                case "eval" -> Commands.eval(cl, config, out);
                case "eval-classify" -> Commands.evalClassify(cl, config, out);
                case "demo" -> Commands.demo(cl, config, out);
                case "export" -> Commands.export(cl, config, out);
                case "train" -> Commands.train(cl, config, out);
                case "predict" -> Commands.predict(cl, config, out);
                case "bench" -> Commands.bench(cl, config, out);
                default -> throw new CommandLine.UsageException("unknown command '" + cl.command() + "'");
            };
        } catch (io.pseudolabel.job.run.RunNotPublishedException e) {
            err.println("error: " + e.getMessage());
            return e.exitCode();
        } catch (CommandLine.UsageException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (ModelContractException | IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("error: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }
}
