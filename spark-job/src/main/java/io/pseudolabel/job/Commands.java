package io.pseudolabel.job;

import io.pseudolabel.job.common.UsageException;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.common.Spark;
import io.pseudolabel.job.common.StageProgress;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.dino.DinoModel;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.eval.EvalReport;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.train.DistributedTrainer;
import io.pseudolabel.job.train.PredictJob;
import io.pseudolabel.job.train.SegmenterModel;
import io.pseudolabel.job.train.TrainSettings;
import io.pseudolabel.job.export.Exports;
import io.pseudolabel.job.head.FinetuneClipJob;
import io.pseudolabel.job.eval.EvalResult;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.job.review.ReviewJob;
import io.pseudolabel.onnx.RuntimeOptions;
import io.pseudolabel.sam.SamModel;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The commands behind {@link Main}; each returns its exit code. */
final class Commands {
    private static final Set<String> COMMON = Set.of("config", "master");

    private Commands() {}

    static int validateModels(CommandLine cl, Config config, PrintStream out) {
        cl.allowOnly(union(COMMON, "models"));
        LabelerSettings s = io.pseudolabel.job.executor.ModelLocalizer.localize(
                LabelerSettings.from(withModels(config, cl.require("models"))),
                new org.apache.hadoop.conf.Configuration());
        RuntimeOptions runtime = s.runtime();
        try (ClipModel clip = ClipModel.load(s.clipPath(), runtime)) {
            out.println("clip:           " + s.clipPath() + "\n  " + clip.describe());
        }
        try (DinoModel dino = DinoModel.load(s.dinoPath(), runtime, s.dino())) {
            out.println("grounding-dino: " + s.dinoPath() + "\n  " + dino.describe());
        }
        try (SamModel sam = SamModel.load(s.samPath(), runtime, s.sam())) {
            out.println("sam:            " + s.samPath() + "\n  family: " + sam.format().family() + "\n  "
                    + sam.describe());
        }
        out.println("all three model directories match a known contract");
        return 0;
    }

    static int label(CommandLine cl, Config config, PrintStream out) throws IOException {
        cl.allowOnly(union(COMMON, "images", "models", "output", "layout", "split", "annotations", "classes",
                "supervision", "run-id", "incremental", "clip-head"));
        Config c = labelConfig(cl, config);
        SparkSession spark = Spark.session(cl.get("master"), "pseudolabel label");
        out.println("effective configuration:\n" + JobConfig.render(c));
        LabelJob.Summary s = LabelJob.run(spark, c,
                new LabelJob.Options(cl.require("images"), cl.require("output"), cl.get("run-id"),
                        cl.flag("incremental")), out);
        printSummary(s, out);
        return 0;
    }

    static Config labelConfig(CommandLine cl, Config config) {
        Config c = config;
        if (cl.get("models") != null) {
            c = withModels(c, cl.get("models"));
        }
        c = set(c, "pseudolabel.job.layout", cl.get("layout"));
        c = set(c, "pseudolabel.job.split", cl.get("split"));
        c = set(c, "pseudolabel.job.annotations", cl.get("annotations"));
        c = set(c, "pseudolabel.job.classes", cl.get("classes"));
        c = set(c, "pseudolabel.job.clip-head", cl.get("clip-head"));
        return set(c, "pseudolabel.supervision", cl.get("supervision"));
    }

    static int finetuneClip(CommandLine cl, Config config, PrintStream out) throws IOException {
        cl.allowOnly(union(COMMON, "images", "labels", "classes", "class-map", "output", "models"));
        Config c = config;
        if (cl.get("models") != null) {
            c = withModels(c, cl.get("models"));
        }
        c = set(c, "pseudolabel.job.classes", cl.get("classes"));
        try (Tracked t = new Tracked("finetune-clip", c, out)) {
            FinetuneClipJob.run(t.session(cl.get("master")), c, new FinetuneClipJob.Options(cl.require("images"),
                    cl.require("labels"), cl.get("class-map"), cl.require("output")), out);
        }
        return 0;
    }

    static void printSummary(LabelJob.Summary s, PrintStream out) {
        out.printf(Locale.ROOT, "run %s: %d images (%d labelled, %d carried over) in %.1f s; by status %s; %s%n",
                s.runId(), s.total(), s.labelled(), s.carriedOver(), s.millis() / 1000.0, s.counts(),
                LabelJob.UNCHANGED.equals(s.outcome()) ? "unchanged, " + Runs.LATEST + " stays " + s.previousRun()
                        : "published as " + Runs.LATEST);
        for (String e : s.firstErrors()) {
            out.println("  error: " + e);
        }
        out.println("labels: " + s.labelsDir());
    }

    static int eval(CommandLine cl, Config config, PrintStream out) throws IOException {
        cl.allowOnly(union(COMMON, EvalCommand.OPTIONS.toArray(new String[0])));
        try (Tracked t = new Tracked("eval", config, out)) {
            return EvalCommand.run(cl, ImageLimits.from(config), () -> t.session(cl.get("master")), out);
        }
    }

    static int review(CommandLine cl, Config config, PrintStream out) throws IOException {
        cl.allowOnly(union(COMMON, "labels", "output", "images", "worst", "sample", "class", "compare", "csv"));
        Config c = set(config, "pseudolabel.review.worst", cl.get("worst"));
        c = set(c, "pseudolabel.review.sample", cl.get("sample"));
        ReviewJob.Options o = new ReviewJob.Options(
                cl.require("labels"), cl.require("output"), cl.get("images"), c.getInt("pseudolabel.review.worst"),
                c.getInt("pseudolabel.review.sample"), cl.get("class"), cl.get("compare"), cl.get("csv"),
                c.getInt("pseudolabel.review.page-size"), c.getLong("pseudolabel.review.seed"), ImageLimits.from(c));
        ReviewJob.run(Spark.session(cl.get("master"), "pseudolabel review"), o, out);
        return 0;
    }

    static int evalClassify(CommandLine cl, Config config, PrintStream out) throws IOException {
        cl.allowOnly(union(COMMON, ClassifyCommand.OPTIONS.toArray(new String[0])));
        try (Tracked t = new Tracked("eval-classify", config, out)) {
            return ClassifyCommand.run(cl, config, () -> t.session(cl.get("master")), out);
        }
    }

    /** A command's Spark session with its {@link StageProgress} line, which ends with the command. */
    static final class Tracked implements AutoCloseable {
        private final String what;
        private final long intervalMillis;
        private final PrintStream out;
        private StageProgress progress;

        Tracked(String what, Config config, PrintStream out) {
            this.what = what;
            this.intervalMillis = config.getDuration("pseudolabel.job.progress-interval",
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            this.out = out;
        }

        SparkSession session(String master) {
            SparkSession spark = Spark.session(master, "pseudolabel " + what);
            if (progress == null) {
                progress = new StageProgress(spark.sparkContext(), what, intervalMillis, out);
            }
            return spark;
        }

        @Override
        public void close() {
            if (progress != null) {
                progress.close();
            }
        }
    }

    static int export(CommandLine cl, Config config, PrintStream out) throws IOException {
        cl.allowOnly(union(COMMON, "labels", "output", "classes", "overwrite", "split", "annotations"), 1);
        if (cl.positional().size() != 1 || !Set.of("voc", "coco").contains(cl.positional().get(0))) {
            throw new UsageException("export needs a format: export voc|coco --labels URI --output PATH");
        }
        boolean voc = cl.positional().get(0).equals("voc");
        if (voc && cl.get("annotations") != null) {
            throw new UsageException("--annotations is for export coco");
        }
        if (!voc && (cl.get("split") != null || cl.flag("overwrite"))) {
            throw new UsageException(cl.get("split") != null ? "--split is for export voc"
                    : "export coco replaces its --output file anyway; --overwrite is for export voc");
        }
        cl.require("labels");
        cl.require("output");
        try (Tracked t = new Tracked("export " + cl.positional().get(0), config, out)) {
            return export(cl, config, out, voc, t.session(cl.get("master")));
        }
    }

    private static int export(CommandLine cl, Config config, PrintStream out, boolean voc, SparkSession spark)
            throws IOException {
        String labels = Runs.resolveLabels(cl.require("labels"), spark.sparkContext().hadoopConfiguration());
        if (voc) {
            String split = cl.get("split", "train");
            long n = Exports.voc(spark, labels, cl.require("output"), split, cl.flag("overwrite"),
                    config.getDuration("pseudolabel.job.stop-timeout", java.util.concurrent.TimeUnit.MILLISECONDS), out);
            out.printf("wrote %d palette PNGs to %s/%s, their ids to %s/%s/%s.txt%n", n, cl.require("output"),
                    Exports.SEGMENTATION_CLASS, cl.require("output"), Exports.SEGMENTATION_SETS, split);
        } else {
            Config c = set(config, "pseudolabel.job.classes", cl.get("classes"));
            List<String> classes = ClassList.resolve(c.getString("pseudolabel.job.classes"));
            var hadoop = spark.sparkContext().hadoopConfiguration();
            // A run over a COCO dataset keeps its image and category ids, so COCOeval scores it against them.
            String annotations = cl.get("annotations") != null ? cl.get("annotations")
                    : Exports.cocoAnnotationsOf(labels, hadoop).orElse(null);
            Exports.CocoIds ids = annotations == null ? null : Exports.CocoIds.read(annotations, hadoop);
            long n = Exports.coco(spark, labels, cl.require("output"), classes, ids);
            out.printf("wrote %d annotations to %s%s%n", n, cl.require("output"),
                    ids == null ? "" : " (image and category ids of " + annotations + ")");
        }
        return 0;
    }

    static int train(CommandLine cl, Config config, PrintStream out) throws IOException {
        cl.allowOnly(union(COMMON, "labels", "images", "output", "classes", "rounds", "local-steps", "workers",
                "val-gt", "split", "backbone-weights"));
        Config c = set(config, "pseudolabel.job.classes", cl.get("classes"));
        c = set(c, "pseudolabel.train.backbone-weights", cl.get("backbone-weights"));
        c = set(c, "pseudolabel.train.rounds", cl.get("rounds"));
        c = set(c, "pseudolabel.train.local-steps", cl.get("local-steps"));
        c = set(c, "pseudolabel.train.workers", cl.get("workers"));
        List<String> classes = ClassList.resolve(c.getString("pseudolabel.job.classes"));
        SparkSession spark = Spark.session(cl.get("master"), "pseudolabel train");
        String labels = Runs.resolveLabels(cl.require("labels"), spark.sparkContext().hadoopConfiguration());
        TrainSettings ts = TrainSettings.from(c, classes.size() + 1);
        DistributedTrainer.Result r = DistributedTrainer.train(spark, ts, classes, labels, cl.get("images"),
                cl.require("output"), ImageLimits.from(c), out);
        out.printf(Locale.ROOT, "trained %d rounds in %.1f s (%.1f samples/s); model: %s%n", r.rounds(),
                r.millis() / 1000.0, r.samplesPerSecond(), r.modelDir());
        if (cl.get("val-gt") != null) {
            EvalResult e = predictAndEval(spark, r.modelDir(), cl.get("val-gt"), cl.get("split", "val"),
                    HadoopFiles.child(cl.require("output"), "val"), classes, c);
            out.println("segmenter on " + cl.get("split", "val") + ":");
            out.print(e.table());
        }
        return 0;
    }

    static int predict(CommandLine cl, Config config, PrintStream out) throws IOException {
        cl.allowOnly(union(COMMON, "model", "images", "output", "layout", "split", "png"));
        Config c = set(config, "pseudolabel.job.layout", cl.get("layout"));
        c = set(c, "pseudolabel.job.split", cl.get("split"));
        try (Tracked t = new Tracked("predict", c, out)) {
            SparkSession spark = t.session(cl.get("master"));
            var hadoop = spark.sparkContext().hadoopConfiguration();
            SegmenterModel model = SegmenterModel.read(cl.require("model"), hadoop);
            List<ImageRef> images = DatasetLister.list(c.getString("pseudolabel.job.layout"), cl.require("images"),
                    c.getString("pseudolabel.job.split"), null, false, false, hadoop);
            String table = PredictJob.run(spark, model, images, cl.require("output"), cl.flag("png"),
                    ImageLimits.from(c));
            out.printf("predicted %d images: %s%n", images.size(), table);
        }
        return 0;
    }

    /** Predicts a VOC split with a trained model and scores it against that split's ground truth. */
    static EvalResult predictAndEval(SparkSession spark, String modelDir, String vocRoot, String split, String output,
            List<String> classes, Config c) throws IOException {
        var hadoop = spark.sparkContext().hadoopConfiguration();
        SegmenterModel model = SegmenterModel.read(modelDir, hadoop);
        List<ImageRef> images = DatasetLister.list("voc", vocRoot, split, null, false, false, hadoop);
        String table = PredictJob.run(spark, model, images, output, false, ImageLimits.from(c));
        return EvalJob.run(spark, EvalJob.Spec.of(table, vocRoot, ImageLimits.from(c)).withSplit(split)
                .withClassNames(classes)
                .withSamples(24));
    }

    /** Share of the demo's objects drawn faint ({@link SceneGenerator#withFaintObjects}). */
    static final double DEMO_FAINT_SHARE = 0.25;

    static int demo(CommandLine cl, Config config, PrintStream out) throws IOException {
        cl.allowOnly(union(COMMON, "output", "train", "val", "models", "clip-head", "sam2"));
        String sam2 = Demo.sam2Fixture(cl.get("sam2"), cl.get("models") != null);
        Path root = Path.of(cl.get("output", "demo-output")).toAbsolutePath();
        Path data = root.resolve("voc");
        int train = Integer.parseInt(cl.get("train", "40"));
        int val = Integer.parseInt(cl.get("val", "16"));
        if (!Files.isRegularFile(data.resolve("ImageSets/Segmentation/train.txt"))) {
            out.printf("generating %d train + %d val synthetic scenes in %s%n", train, val, data);
            // A quarter of the objects drawn faint: the graded errors label quality is meant to catch.
            new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 7L).withFaintObjects(DEMO_FAINT_SHARE))
                    .write(data, train, val);
        }
        String models = cl.get("models") != null ? cl.get("models") : Demo.fixtureModels().toString();
        Config c = withModels(config, models);
        if (sam2 != null) {
            c = set(c, "pseudolabel.models.sam", sam2);
            out.printf("mask model: SAM 2.1 fixture %s%n", sam2);
        }
        c = set(c, "pseudolabel.job.layout", "voc");
        c = set(c, "pseudolabel.job.split", "train");
        c = set(c, "pseudolabel.job.classes", data.resolve("classes.txt").toString());
        SparkSession spark = Spark.session(cl.get("master", "local[2]"), "pseudolabel demo");
        LabelJob.Summary s = LabelJob.run(spark, c,
                new LabelJob.Options(data.toString(), root.resolve("labels").toString(), null, false), out);
        printSummary(s, out);
        List<String> classes = ClassList.resolve(data.resolve("classes.txt").toString());
        EvalResult r = EvalJob.run(spark, EvalJob.Spec.of(s.labelsDir(), data.toString(), ImageLimits.from(c))
                .withSplit("train")
                .withClassNames(classes).withSamples(24));
        Files.writeString(root.resolve("pseudo-label-eval.json"), r.toJson(), StandardCharsets.UTF_8);
        EvalReport.write(spark, r, root.resolve("report.html"));
        out.println("pseudo-labels vs ground truth (train split):");
        out.print(r.table());
        out.printf(Locale.ROOT, "demo: label quality vs image mIoU: Spearman %.3f over %d images%n",
                r.quality().spearman(), r.quality().images());

        TrainSettings ts = TrainSettings.from(c, classes.size() + 1);
        String runDir = root.resolve("segmenter-" + s.runId()).toString();
        DistributedTrainer.Result t = DistributedTrainer.train(spark, ts, classes, s.labelsDir(), null, runDir,
                ImageLimits.from(c), out);
        EvalResult seg = predictAndEval(spark, t.modelDir(), data.toString(), "val",
                HadoopFiles.child(runDir, "val"), classes, c);
        EvalReport.write(spark, seg, root.resolve("segmenter-report.html"));
        Files.writeString(root.resolve("segmenter-eval.json"), seg.toJson(), StandardCharsets.UTF_8);
        out.println("segmenter (trained on the pseudo-labels) vs ground truth (val split):");
        out.print(seg.table());
        out.printf(Locale.ROOT, "demo: pseudo-label mIoU %.4f on %d train images; segmenter mIoU %.4f on %d val "
                + "images (%d rounds x %d steps x %d workers, %.0f s); reports: report.html, segmenter-report.html "
                + "in %s%n", r.miou(), r.numImages(),
                seg.miou(), seg.numImages(), ts.rounds(), ts.localSteps(), ts.workers(), t.millis() / 1000.0, root);
        if (cl.flag("clip-head")) {
            HeadDemo.run(spark, c, root, data, models, classes, out);
        }
        return 0;
    }

    /** The benchmarks' entry point: on the classpath of {@code ./pseudolabel bench} only, never in the cluster jar. */
    static final String BENCH_CLASS = "io.pseudolabel.job.bench.Bench";

    static int bench(CommandLine cl, Config config, PrintStream out) throws Exception {
        cl.allowOnly(union(COMMON, "images", "output", "only", "repeats", "spark-repeats", "models"));
        Class<?> bench;
        try {
            bench = Class.forName(BENCH_CLASS);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("bench: the benchmarks are not on this classpath (the cluster jar "
                    + "leaves them out); run ./pseudolabel bench in a checkout");
        }
        try {
            Object options = bench.getMethod("options", String.class, String.class, String.class, String.class,
                    String.class, String.class).invoke(null, cl.get("images"), cl.get("output"), cl.get("only"),
                    cl.get("repeats"), cl.get("spark-repeats"), cl.get("models"));
            return (Integer) bench.getMethod("run", options.getClass(), Config.class, PrintStream.class)
                    .invoke(null, options, config, out);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    static Config withModels(Config c, String models) {
        return set(c, "pseudolabel.models.dir", models);
    }

    static Config set(Config c, String key, String value) {
        return value == null ? c : c.withValue(key, ConfigValueFactory.fromAnyRef(value));
    }

    private static Set<String> union(Set<String> a, String... more) {
        Set<String> s = new java.util.HashSet<>(a);
        s.addAll(List.of(more));
        return s;
    }
}
