package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.common.Spark;
import io.pseudolabel.job.common.UsageException;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.eval.EvalReport;
import io.pseudolabel.job.eval.EvalResult;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.train.DistributedTrainer;
import io.pseudolabel.job.train.TrainSettings;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code demo}: synthetic scenes, labelled with the fixture models in local[2], a small DeepLabV3+ trained on the
 * pseudo-labels, both mIoUs printed. Stages: {@link #scenes}, {@link #label}, {@link #evaluate}, {@link #train}.
 */
@Command(name = "demo", synopsisHeading = "", customSynopsis =
        "usage: pseudolabel demo [--output DIR] [--train N] [--val N] [--clip-head] [--sam2[=samexporter]]",
        description = {"generate synthetic scenes, label them with the fixture models in local[2],",
            "train a small DeepLabV3+ on the pseudo-labels, print both mIoUs; --clip-head also",
            "fine-tunes a CLIP head for a deliberately confused fixture CLIP and compares it",
            "with zero-shot; --sam2 masks with the SAM 2.1 fixture (onnx-community export, or",
            "samexporter's)"},
        footer = Main.COMMON_HELP)
final class DemoCommand implements JobCommand {
    /** Share of the demo's objects drawn faint ({@link SceneGenerator#withFaintObjects}). */
    static final double FAINT_SHARE = 0.25;

    @Mixin CommonOptions common;

    @Option(names = "--output", paramLabel = "DIR", defaultValue = "demo-output", description = "(demo-output)")
    String output;

    @Option(names = "--train", paramLabel = "N", defaultValue = "40", description = "train scenes (40)")
    int train;

    @Option(names = "--val", paramLabel = "N", defaultValue = "16", description = "val scenes (16)")
    int val;

    @Option(names = "--models", paramLabel = "DIR", description = "models instead of the fixtures")
    String models;

    @Option(names = "--clip-head", description = "also fine-tune and compare a CLIP head")
    boolean clipHead;

    @Option(names = "--sam2", arity = "0..1", fallbackValue = "onnx-community", paramLabel = "FAMILY",
            description = "mask with a SAM 2.1 fixture: onnx-community (default) or samexporter")
    String sam2;

    @Override
    public CommonOptions common() {
        return common;
    }

    @Override
    public int run(Config config, PrintStream out) throws Exception {
        String sam2Dir = sam2Fixture(sam2, models != null);
        Path root = Path.of(output).toAbsolutePath();
        Path data = scenes(root, out);
        String modelDir = models != null ? models : fixtureModels().toString();
        Config c = config(config, modelDir, sam2Dir, data, out);
        SparkSession spark = Spark.session(common.master("local[2]"), "pseudolabel demo");
        LabelJob.Summary s = label(spark, c, data, root, out);
        List<String> classes = ClassList.resolve(data.resolve("classes.txt").toString());
        EvalResult r = evaluate(spark, c, s, data, classes, root, out);
        train(spark, c, s, data, classes, root, r, out);
        if (clipHead) {
            HeadDemo.run(spark, c, root, data, modelDir, classes, out);
        }
        return 0;
    }

    /** The scenes in VOC layout under {@code root/voc}, generated unless they are there already. */
    private Path scenes(Path root, PrintStream out) throws IOException {
        Path data = root.resolve("voc");
        if (!Files.isRegularFile(data.resolve("ImageSets/Segmentation/train.txt"))) {
            out.printf("generating %d train + %d val synthetic scenes in %s%n", train, val, data);
            // A quarter of the objects drawn faint: the graded errors label quality is meant to catch.
            new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 7L).withFaintObjects(FAINT_SHARE))
                    .write(data, train, val);
        }
        return data;
    }

    private static Config config(Config config, String models, String sam2Dir, Path data, PrintStream out) {
        Config c = Commands.withModels(config, models);
        if (sam2Dir != null) {
            c = Commands.set(c, "pseudolabel.models.sam", sam2Dir);
            out.printf("mask model: SAM 2.1 fixture %s%n", sam2Dir);
        }
        c = Commands.set(c, "pseudolabel.job.layout", "voc");
        c = Commands.set(c, "pseudolabel.job.split", "train");
        return Commands.set(c, "pseudolabel.job.classes", data.resolve("classes.txt").toString());
    }

    private static LabelJob.Summary label(SparkSession spark, Config c, Path data, Path root, PrintStream out)
            throws IOException {
        LabelJob.Summary s = LabelJob.run(spark, c,
                new LabelJob.Options(data.toString(), root.resolve("labels").toString(), null, false), out);
        Commands.printSummary(s, out);
        return s;
    }

    /** The pseudo-labels against the train split's ground truth: report.html and pseudo-label-eval.json. */
    private static EvalResult evaluate(SparkSession spark, Config c, LabelJob.Summary s, Path data,
            List<String> classes, Path root, PrintStream out) throws IOException {
        EvalResult r = EvalJob.run(spark, EvalJob.Spec.of(s.labelsDir(), data.toString(), ImageLimits.from(c))
                .withSplit("train")
                .withClassNames(classes).withSamples(24));
        Files.writeString(root.resolve("pseudo-label-eval.json"), r.toJson(), StandardCharsets.UTF_8);
        EvalReport.write(spark, r, root.resolve("report.html"));
        out.println("pseudo-labels vs ground truth (train split):");
        out.print(r.table());
        out.printf(Locale.ROOT, "demo: label quality vs image mIoU: Spearman %.3f over %d images%n",
                r.quality().spearman(), r.quality().images());
        return r;
    }

    /** A segmenter trained on the pseudo-labels, scored on the val split: segmenter-report.html and its JSON. */
    private static void train(SparkSession spark, Config c, LabelJob.Summary s, Path data, List<String> classes,
            Path root, EvalResult r, PrintStream out) throws IOException {
        TrainSettings ts = TrainSettings.from(c, classes.size() + 1);
        String runDir = root.resolve("segmenter-" + s.runId()).toString();
        DistributedTrainer.Result t = DistributedTrainer.train(spark, ts, classes, s.labelsDir(), null, runDir,
                ImageLimits.from(c), out);
        EvalResult seg = Commands.predictAndEval(spark, t.modelDir(), data.toString(), "val",
                HadoopFiles.child(runDir, "val"), classes, c);
        EvalReport.write(spark, seg, root.resolve("segmenter-report.html"));
        Files.writeString(root.resolve("segmenter-eval.json"), seg.toJson(), StandardCharsets.UTF_8);
        out.println("segmenter (trained on the pseudo-labels) vs ground truth (val split):");
        out.print(seg.table());
        out.printf(Locale.ROOT, "demo: pseudo-label mIoU %.4f on %d train images; segmenter mIoU %.4f on %d val "
                + "images (%d rounds x %d steps x %d workers, %.0f s); reports: report.html, segmenter-report.html "
                + "in %s%n", r.miou(), r.numImages(),
                seg.miou(), seg.numImages(), ts.rounds(), ts.localSteps(), ts.workers(), t.millis() / 1000.0, root);
    }

    /**
     * The SAM 2.1 fixture {@code demo --sam2[=FAMILY]} labels with: {@code --sam2} or {@code --sam2=onnx-community}
     * the onnx-community export, {@code --sam2=samexporter} samexporter's; null without the option.
     */
    static String sam2Fixture(String option, boolean ownModels) {
        if (option == null) {
            return null;
        }
        if (ownModels) {
            throw new UsageException("demo --sam2 labels with a SAM 2.1 fixture model; with --models DIR, "
                    + "put a SAM 2.1 export in DIR/sam instead");
        }
        String dir = switch (option) {
            case "onnx-community" -> "sam2-hf";
            case "samexporter" -> "sam2-samexporter";
            default -> throw new UsageException("--sam2 takes onnx-community (the default) or "
                    + "samexporter; got '" + option + "'");
        };
        return fixtureModels().resolve(dir).toString();
    }

    /** The committed fixture models, next to the checkout the launcher runs from. */
    static Path fixtureModels() {
        String home = System.getProperty("pseudolabel.home", ".");
        Path p = Path.of(home, "model-udfs", "fixtures", "models").toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException("fixture models not found at " + p
                    + "; run the demo from the repository root (./pseudolabel demo) or pass --models DIR");
        }
        return p;
    }
}
