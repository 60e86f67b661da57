package io.pseudolabel.job.label;

import com.typesafe.config.Config;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.clip.ZeroShotClassifier;
import io.pseudolabel.clip.head.ClipHead;
import io.pseudolabel.clip.head.ClipHeadFormat;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.executor.ExecutorUse;
import io.pseudolabel.job.executor.ModelLocalizer;
import io.pseudolabel.job.head.ClipHeads;
import io.pseudolabel.job.run.Lease;
import io.pseudolabel.job.run.Manifest;
import io.pseudolabel.job.run.Retention;
import io.pseudolabel.job.run.RunNotPublishedException;
import io.pseudolabel.job.run.RunSettings;
import io.pseudolabel.job.run.RunStats;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.labeler.ContentHashes;
import io.pseudolabel.labeler.LabelStatus;
import io.pseudolabel.labeler.ModelFingerprint;
import io.pseudolabel.onnx.RuntimeOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The label stage on the driver: take the output root's {@link Lease}, plan (carry unchanged images over from
 * the published run when incremental), label the rest in {@code mapPartitions}, write the run and its
 * {@code inputs}, then its manifest, then publish it ({@link Runs#publish}: {@code _LATEST} moves by
 * compare-and-set from the run this one planned from) unless more than {@code job.max-failed-fraction} of its
 * rows failed. A night with nothing new records itself and leaves {@code _LATEST} where it is. Any failure
 * before the last step leaves {@code _LATEST} where it was.
 */
public final class LabelJob {
    /** What the manifest's {@code outcome} says. */
    public static final String PUBLISHED = "published";
    public static final String UNCHANGED = "unchanged";
    public static final String NOT_PUBLISHED = "not_published";

    public record Options(String images, String output, String runId, boolean incremental) {}

    /**
     * What a run did; also printed.
     *
     * @param labelsDir the table that holds this run's rows: its own, or, for an unchanged night, the
     *     published run's
     * @param previousRun the published run this one planned from (null for a root's first run)
     * @param outcome {@link #PUBLISHED} or {@link #UNCHANGED} (a run that is not published throws)
     */
    public record Summary(String runId, String labelsDir, long total, long labelled, long carriedOver,
            Map<String, Long> counts, List<String> firstErrors, String fingerprint, long millis,
            List<ExecutorUse> executors, String previousRun, String outcome) {}

    private LabelJob() {}

    /**
     * Labels and publishes one run. Throws {@link RunNotPublishedException} when the run is kept but not
     * published (too many failed images) or another run holds the output root or published first.
     */
    public static Summary run(SparkSession spark, Config config, Options options, PrintStream out) throws IOException {
        long start = System.currentTimeMillis();
        JobSettings job = JobSettings.from(config);
        RunSettings runSettings = RunSettings.from(config);
        ReadRetry readRetry = ReadRetry.from(config);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = jsc.hadoopConfiguration();
        LabelerSettings remote = LabelerSettings.from(config);
        String output = HadoopFiles.normalize(options.output());
        String runId = Runs.checkRunId(options.runId() != null ? options.runId() : Runs.newRunId());
        try (Lease lease = Lease.acquire(output, runId, runSettings, hadoop, out)) {
            if (HadoopFiles.exists(Runs.runDir(output, runId), hadoop)) {
                throw new IllegalArgumentException("run " + runId + " already exists under " + output);
            }
            String previous = Runs.repairLatest(output, hadoop, out).orElse(null);
            return label(new RunContext(spark, config, options, out, start, job, runSettings, readRetry, remote,
                    output, runId, previous, lease, hadoop));
        }
    }

    /** What one run works with: its settings, where it writes, the run it follows and the lease it holds. */
    private record RunContext(SparkSession spark, Config config, Options options, PrintStream out, long start,
            JobSettings job, RunSettings runSettings, ReadRetry readRetry, LabelerSettings remote, String output,
            String runId, String previous, Lease lease, Configuration hadoop) {

        JavaSparkContext jsc() {
            return JavaSparkContext.fromSparkContext(spark.sparkContext());
        }
    }

    /** The plan stage's result: what to label it with, the images listed, and which of them to label. */
    private record Planned(Labeling what, List<ImageRef> refs, CarryOver.Plan plan, long listedAt, long createdAt) {}

    /** The label stage's result: the run's rows (labelled and carried over) and what the tasks counted. */
    private record Labelled(Dataset<Row> rows, LongAccumulator done, LabelTally tally,
            CollectionAccumulator<String> executorReports, LongAccumulator failed) {}

    /** The run's outcome before publishing: row counts by status, the statistics, the manifest. */
    private record Written(Map<String, Long> counts, List<String> firstErrors, long total, double failedFraction,
            RunStats stats, Manifest manifest, boolean failedGate, boolean qualityGate, String detail,
            List<ExecutorUse> executors) {}

    /** plan, label, write, publish. */
    private static Summary label(RunContext r) throws IOException {
        Planned p = plan(r);
        if (p.plan().unchanged()) {
            return unchanged(r, p);
        }
        Labelled l = labelRows(r, p);
        String labelsDir = Runs.labelsDir(r.output(), r.runId());
        write(r, p, l, labelsDir);
        Written w = record(r, p, l, labelsDir, System.currentTimeMillis());
        publish(r, w);
        return new Summary(r.runId(), labelsDir, w.total(), l.done().value(), p.plan().carried(), w.counts(),
                w.firstErrors(), p.what().fingerprint(), System.currentTimeMillis() - r.start(), w.executors(),
                r.previous(), PUBLISHED);
    }

    /** Lists the images and decides, against the published run, which of them need labelling. */
    private static Planned plan(RunContext r) throws IOException {
        JobSettings job = r.job();
        Labeling what = Labeling.of(r.config(), r.remote(), job, r.hadoop());
        Supervision supervision = what.settings().supervision();
        List<ImageRef> refs = DatasetLister.list(job.layout(), r.options().images(), job.split(), job.annotations(),
                supervision != Supervision.NONE, r.options().incremental(), r.hadoop());
        if (refs.isEmpty()) {
            // Publishing an empty table would empty every export that follows (a wrong prefix, a lost mount).
            throw new IllegalArgumentException("no images listed under " + r.options().images() + " (layout "
                    + job.layout().key() + "); nothing labelled, " + (r.previous() == null ? "nothing published"
                    : Runs.LATEST + " still names run " + r.previous()));
        }
        long listed = System.currentTimeMillis();
        CarryOver.Plan plan = r.options().incremental()
                ? CarryOver.plan(r.spark(), r.output(), r.previous(), refs, what.fingerprint(), supervision)
                : CarryOver.Plan.everything(refs);
        if (what.head() != null) {
            r.out().printf("classes from the CLIP head %s instead of zero-shot prompts (label fingerprint %s)%n",
                    job.clipHead(), what.fingerprint());
        }
        if (plan.from() != null) {
            r.out().printf("incremental: %d of %d images unchanged since run %s, %d to label%n",
                    plan.carried(), refs.size(), plan.from(), plan.toLabel().size());
        }
        return new Planned(what, refs, plan, listed, System.currentTimeMillis());
    }

    /**
     * The run's rows: the images to label, labelled by tasks (nothing runs, so no model loads, when none needs
     * labelling), and the carried-over rows of the published run.
     */
    private static Labelled labelRows(RunContext r, Planned p) {
        JavaSparkContext jsc = r.jsc();
        Labeling what = p.what();
        LabelerSettings settings = what.settings();
        CarryOver.Plan plan = p.plan();
        ImageClassifier classifier = null;
        if (what.head() != null) {
            classifier = what.head();
        } else if (settings.supervision() == Supervision.NONE && !plan.toLabel().isEmpty()) {
            classifier = new ZeroShotClassifier(textEmbeddings(settings, what.classes(), what.modelsFingerprint()),
                    settings.clip().logitScale());
        }
        LabelTask task = new LabelTask(r.remote(), what.classes(), classifier, what.modelsFingerprint(),
                what.fingerprint(), r.runId(), p.createdAt(), r.job().prepareThreads(), r.job().batchSize(),
                r.readRetry());
        LongAccumulator done = jsc.sc().longAccumulator("images labelled");
        LongAccumulator failed = jsc.sc().longAccumulator("images failed");
        CollectionAccumulator<String> executorReports = jsc.sc().collectionAccumulator("label executors");
        LabelTally tally = new LabelTally();
        jsc.sc().register(tally, "label tally");
        Dataset<Row> all = null;
        if (!plan.toLabel().isEmpty()) {
            Broadcast<LabelTask> taskBc = jsc.broadcast(task);
            Broadcast<SerializableConfiguration> confBc = jsc.broadcast(new SerializableConfiguration(r.hadoop()));
            int partitions = partitions(r.job(), plan.toLabel().size(), jsc.defaultParallelism());
            JavaRDD<Row> rows = jsc.parallelize(plan.toLabel(), partitions)
                    .mapPartitions(new LabelPartition(taskBc, confBc, done, failed, tally, executorReports));
            all = r.spark().createDataFrame(rows, LabelTable.SCHEMA);
        }
        if (plan.carried() > 0) {
            Dataset<Row> carried = CarryOver.carriedRows(r.spark(), r.output(), plan, what.fingerprint());
            all = all == null ? carried : carried.unionByName(all);
        }
        return new Labelled(all, done, tally, executorReports, failed);
    }

    /** Writes the rows (the labelling happens here, as Spark runs the tasks) and the run's inputs. */
    private static void write(RunContext r, Planned p, Labelled l, String labelsDir) {
        SparkSession spark = r.spark();
        CarryOver.Plan plan = p.plan();
        // created_at as Parquet's TIMESTAMP(MICROS, UTC) logical type that pandas, DuckDB and Polars read as a
        // timestamp, not Spark's default INT96 (deprecated in Parquet, read as raw bytes by some readers).
        spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        try {
            // Named for the Spark UI's jobs page: what the stage does and how much of it.
            spark.sparkContext().setJobDescription(String.format(Locale.ROOT, "label: %,d images (run %s, %,d carried"
                    + " over)", plan.toLabel().size(), r.runId(), plan.carried()));
            try (Progress progress = new Progress(spark.sparkContext(), "label " + r.runId(), plan.toLabel().size(),
                    l.done(), l.failed(), r.job().progressMillis(), r.out())) {
                l.rows().write().mode(SaveMode.ErrorIfExists).parquet(labelsDir);
            }
            spark.sparkContext().setJobDescription("label: inputs of run " + r.runId());
            CarryOver.writeInputs(spark, p.refs(), p.what().settings().supervision(), r.output(), r.runId());
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
    }

    /** Counts, statistics and both gates of the written run, recorded in its manifest. */
    private static Written record(RunContext r, Planned p, Labelled l, String labelsDir, long labelledAt)
            throws IOException {
        CarryOver.Plan plan = p.plan();
        // Carried-over rows are OK rows by construction (plan); the labelled ones were tallied as written.
        LabelTally.Totals tallied = l.tally().value();
        Map<String, Long> counts = new TreeMap<>(tallied.counts());
        if (plan.carried() > 0) {
            counts.merge(LabelStatus.OK.name(), plan.carried(), Long::sum);
        }
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        long failedRows = total - counts.getOrDefault(LabelStatus.OK.name(), 0L);
        double failedFraction = total == 0 ? 0 : failedRows / (double) total;
        Map<String, Long> durations = new LinkedHashMap<>();
        durations.put("list", p.listedAt() - r.start());
        durations.put("plan", p.createdAt() - p.listedAt());
        durations.put("label", labelledAt - p.createdAt());
        List<ExecutorUse> executors = ExecutorUse.summarize(l.executorReports().value());
        String previous = r.previous();
        r.spark().sparkContext().setJobDescription("label " + r.runId() + ": statistics");
        RunStats stats = RunStats.of(r.spark(), labelsDir, previous == null ? null
                : Runs.labelsDir(r.output(), previous), r.runId(), r.job().maxQualityDrop());
        r.spark().sparkContext().setJobDescription(null);
        r.out().println("label " + r.runId() + ": " + stats.summary());
        double maxFailed = r.runSettings().maxFailedFraction();
        boolean gate = failedFraction > maxFailed;
        boolean qualityGate = !gate && stats.qualityGate();
        String detail = gate ? String.format(Locale.ROOT, "%d of %d images failed (%.1f%%), more than "
                + "pseudolabel.job.max-failed-fraction = %s; %s %s", failedRows, total, 100 * failedFraction,
                maxFailed, Runs.LATEST, previous == null ? "no run yet" : "still names run " + previous)
                : qualityGate ? String.format(Locale.ROOT, "mean quality %.4f fell %.4f since run %s (%.4f), more "
                + "than pseudolabel.job.max-quality-drop = %s; %s still names run %s", stats.meanQuality(),
                stats.qualityDrop(), previous, stats.previousMeanQuality(), stats.maxQualityDrop(), Runs.LATEST,
                previous)
                : previous == null ? "the output root's first run" : "follows run " + previous;
        Manifest manifest = new Manifest(r.runId(), "label", r.options().images(), r.output(), p.what().fingerprint(),
                ModelFingerprint.LABELER_VERSION, JobConfig.render(r.config()), p.createdAt(), previous,
                gate || qualityGate ? NOT_PUBLISHED : PUBLISHED, detail, counts, tallied.firstErrors(), failedFraction,
                maxFailed, plan.carried(), l.done().value(), durations, executors, r.lease().record(), stats);
        writeManifest(r.output(), manifest, r.hadoop());
        return new Written(counts, tallied.firstErrors(), total, failedFraction, stats, manifest, gate, qualityGate,
                detail, executors);
    }

    /**
     * Moves {@code _LATEST} to the run (compare-and-set from the run it planned from) unless a gate held it, then
     * applies the output root's retention.
     */
    private static void publish(RunContext r, Written w) throws IOException {
        if (w.failedGate()) {
            throw new RunNotPublishedException(RunNotPublishedException.FAILED_GATE, "run " + r.runId() + " was "
                    + "labelled but not published: " + w.detail() + ". By status: " + w.counts()
                    + errorLines(w.firstErrors()) + "\nIts rows and manifest are kept under "
                    + Runs.runDir(r.output(), r.runId()));
        }
        if (w.qualityGate()) {
            throw new RunNotPublishedException(RunNotPublishedException.QUALITY_GATE, "run " + r.runId() + " was "
                    + "labelled but not published: " + w.detail() + ".\nIts rows and manifest are kept under "
                    + Runs.runDir(r.output(), r.runId()));
        }
        try {
            r.lease().checkHeld();
            Runs.publish(r.output(), r.runId(), r.previous(), r.hadoop());
        } catch (RunNotPublishedException e) {
            writeManifest(r.output(), w.manifest().withOutcome(NOT_PUBLISHED, e.getMessage()), r.hadoop());
            throw e;
        }
        Retention.afterPublish(r.config(), r.output(), r.hadoop(), r.out());
    }

    /**
     * A night with nothing new, changed or removed: the published run already holds every row, so this run
     * loads no models and writes no table; its manifest records it, and {@code _LATEST} stays where it is.
     */
    private static Summary unchanged(RunContext r, Planned p) throws IOException {
        CarryOver.Plan plan = p.plan();
        String previous = r.previous();
        Map<String, Long> counts = new TreeMap<>(Map.of(LabelStatus.OK.name(), plan.carried()));
        Map<String, Long> durations = new LinkedHashMap<>();
        durations.put("list", p.listedAt() - r.start());
        durations.put("plan", p.createdAt() - p.listedAt());
        Manifest manifest = new Manifest(r.runId(), "label", r.options().images(), r.output(), p.what().fingerprint(),
                ModelFingerprint.LABELER_VERSION, JobConfig.render(r.config()), p.createdAt(), previous, UNCHANGED,
                "nothing new, changed or removed since run " + previous + ", which stays " + Runs.LATEST,
                counts, List.of(), 0, r.runSettings().maxFailedFraction(), plan.carried(), 0, durations,
                List.of(), r.lease().record(), null);
        writeManifest(r.output(), manifest, r.hadoop());
        r.out().printf("unchanged: all %d images are as run %s labelled them; no model loaded, %s stays %s%n",
                plan.carried(), previous, Runs.LATEST, previous);
        return new Summary(r.runId(), Runs.labelsDir(r.output(), previous), plan.carried(), 0,
                plan.carried(), counts, List.of(), p.what().fingerprint(), System.currentTimeMillis() - r.start(),
                List.of(), previous, UNCHANGED);
    }

    /**
     * What a run labels with: the settings with local model copies, the class list, the models' fingerprint, the
     * CLIP head (or null) and the label fingerprint its rows carry.
     */
    public record Labeling(LabelerSettings settings, List<String> classes, String modelsFingerprint, ClipHead head,
            String fingerprint) {
        static Labeling of(Config config, LabelerSettings remote, JobSettings job, Configuration hadoop)
                throws IOException {
            // The driver needs local copies for the fingerprint and the CLIP text side; executors make their own.
            LabelerSettings settings = ModelLocalizer.localize(remote, hadoop);
            List<String> classes = ClassList.resolve(job.classes(), hadoop);
            // Model files are hashed whole once and remembered in the user's 0700 model cache folder.
            String modelsFingerprint = ModelFingerprint.of(settings, classes,
                    ContentHashes.in(ModelLocalizer.cacheRoot(settings.modelCache())));
            ClipHead head = loadHead(JobSettings.from(config).clipHead(), settings, classes, hadoop);
            // A head labels differently from zero-shot prompts: rows say which, so --incremental redoes the others.
            String fingerprint = head == null ? modelsFingerprint
                    : ModelFingerprint.withHead(modelsFingerprint, ClipHeadFormat.digest(head)
                            + (head.multiLabel() ? " min-prob=" + settings.clip().multiLabelMinProb() : ""));
            return new Labeling(settings, classes, modelsFingerprint, head, fingerprint);
        }

        /** What a label run of {@code config} would label with. */
        public static Labeling of(Config config, Configuration hadoop) throws IOException {
            return of(config, LabelerSettings.from(config), JobSettings.from(config), hadoop);
        }
    }

    /**
     * The images a run of {@code config} over {@code images} lists, as the table {@link CarryOver#LISTING}: what
     * it records in its {@code inputs} and what its tasks label.
     */
    public static Dataset<Row> listing(SparkSession spark, Config config, String images, boolean incremental) {
        JobSettings job = JobSettings.from(config);
        Supervision supervision = LabelerSettings.from(config).supervision();
        List<ImageRef> refs = DatasetLister.list(job.layout(), images, job.split(), job.annotations(),
                supervision != Supervision.NONE, incremental, spark.sparkContext().hadoopConfiguration());
        return spark.createDataFrame(refs.stream().map(r -> CarryOver.listingRow(r, supervision)).toList(),
                CarryOver.LISTING);
    }

    private static void writeManifest(String output, Manifest manifest, Configuration hadoop) throws IOException {
        HadoopFiles.writeAtomically(Runs.manifest(output, manifest.runId()),
                manifest.toJson().getBytes(StandardCharsets.UTF_8), hadoop);
    }

    private static String errorLines(List<String> errors) {
        StringBuilder b = new StringBuilder();
        for (String e : errors) {
            b.append("\n  error: ").append(e);
        }
        return b.toString();
    }

    /**
     * The head at {@code uri} (blank: none), refused unless it was trained for exactly {@code classes} and on
     * the image embeddings of the run's CLIP model.
     */
    static ClipHead loadHead(String uri, LabelerSettings settings, List<String> classes, Configuration hadoop)
            throws IOException {
        if (uri == null || uri.isBlank()) {
            return null;
        }
        if (settings.supervision() != Supervision.NONE) {
            throw new IllegalArgumentException("--clip-head replaces CLIP's zero-shot labels; it does nothing with "
                    + "--supervision " + settings.supervision().name().toLowerCase(Locale.ROOT)
                    .replace('_', '-'));
        }
        return ClipHeads.load(uri, classes, settings.clipPath(), ModelFingerprint.ofClip(settings.clipPath()),
                hadoop);
    }

    /** CLIP class embeddings, computed once here on the driver's CPU and broadcast to every task. */
    public static ClipTextEmbeddings textEmbeddings(LabelerSettings settings, List<String> classes, String fingerprint) {
        RuntimeOptions cpu = settings.runtime().onCpu();
        try (ClipModel clip = ClipModel.load(settings.clipPath(), cpu)) {
            return clip.embedClasses(classes, settings.clip().templates(), settings.clip().textBatchSize(),
                    fingerprint);
        }
    }

    public static int partitions(JobSettings job, int images, int parallelism) {
        if (job.partitions() > 0) {
            return job.partitions();
        }
        int byImages = (images + 15) / 16;
        int p = Math.max(1, parallelism);
        // A whole number of waves: with 7 partitions on 2 slots the last one runs alone and a core idles
        // for a whole partition (measured by `bench`: +14% wall at 100 images).
        int waves = (Math.max(2 * p, byImages) + p - 1) / p;
        return Math.max(1, Math.min(Math.max(images, 1), waves * p));
    }
}
