package io.pseudolabel.job.label;

import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.executor.ExecutorUse;
import io.pseudolabel.job.executor.ModelLocalizer;
import io.pseudolabel.job.run.RunStats;
import com.typesafe.config.Config;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.clip.ZeroShotClassifier;
import io.pseudolabel.clip.head.ClipHead;
import io.pseudolabel.clip.head.ClipHeadFormat;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.head.ClipHeads;
import io.pseudolabel.job.run.Lease;
import io.pseudolabel.job.run.Manifest;
import io.pseudolabel.job.run.Retention;
import io.pseudolabel.job.run.RunNotPublishedException;
import io.pseudolabel.job.run.RunSettings;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.labeler.ContentHashes;
import io.pseudolabel.labeler.ModelFingerprint;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.onnx.ExecutionDevice;
import io.pseudolabel.onnx.RuntimeOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

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
            return label(spark, config, options, out, start, job, runSettings, readRetry, remote, output, runId,
                    previous, lease);
        }
    }

    private static Summary label(SparkSession spark, Config config, Options options, PrintStream out, long start,
            JobSettings job, RunSettings runSettings, ReadRetry readRetry, LabelerSettings remote, String output,
            String runId, String previous, Lease lease) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = jsc.hadoopConfiguration();
        Labeling what = Labeling.of(config, remote, job, hadoop);
        LabelerSettings settings = what.settings();
        List<String> classes = what.classes();
        List<ImageRef> refs = DatasetLister.list(job.layout(), options.images(), job.split(), job.annotations(),
                settings.supervision() != Supervision.NONE, options.incremental(), hadoop);
        String modelsFingerprint = what.modelsFingerprint();
        ClipHead head = what.head();
        String fingerprint = what.fingerprint();
        if (refs.isEmpty()) {
            // Publishing an empty table would empty every export that follows (a wrong prefix, a lost mount).
            throw new IllegalArgumentException("no images listed under " + options.images() + " (layout "
                    + job.layout() + "); nothing labelled, " + (previous == null ? "nothing published"
                    : Runs.LATEST + " still names run " + previous));
        }
        long listed = System.currentTimeMillis();

        CarryOver.Plan plan = options.incremental()
                ? CarryOver.plan(spark, output, previous, refs, fingerprint, settings.supervision())
                : CarryOver.Plan.everything(refs);
        if (head != null) {
            out.printf("classes from the CLIP head %s instead of zero-shot prompts (label fingerprint %s)%n",
                    JobSettings.from(config).clipHead(), fingerprint);
        }
        if (plan.from() != null) {
            out.printf("incremental: %d of %d images unchanged since run %s, %d to label%n", plan.carried().size(),
                    refs.size(), plan.from(), plan.toLabel().size());
        }
        long createdAt = System.currentTimeMillis();
        long planned = createdAt;
        if (plan.unchanged()) {
            return unchanged(spark, config, options, out, start, listed, planned, output, runId, previous,
                    fingerprint, createdAt, plan, runSettings, lease, hadoop);
        }
        ImageClassifier classifier = null;
        if (head != null) {
            classifier = head;
        } else if (settings.supervision() == Supervision.NONE && !plan.toLabel().isEmpty()) {
            classifier = new ZeroShotClassifier(textEmbeddings(settings, classes, modelsFingerprint),
                    settings.clip().logitScale());
        }
        LabelTask task = new LabelTask(remote, classes, classifier, modelsFingerprint, fingerprint, runId, createdAt,
                job.prepareThreads(), job.batchSize(), readRetry);
        LongAccumulator done = jsc.sc().longAccumulator("images labelled");
        LongAccumulator failed = jsc.sc().longAccumulator("images failed");
        CollectionAccumulator<String> executorReports = jsc.sc().collectionAccumulator("label executors");
        LabelTally tally = new LabelTally();
        jsc.sc().register(tally, "label tally");

        Dataset<Row> all = null;
        if (!plan.toLabel().isEmpty()) { // no task at all, so no model loads, when nothing needs labelling
            Broadcast<LabelTask> taskBc = jsc.broadcast(task);
            Broadcast<SerializableConfiguration> confBc = jsc.broadcast(new SerializableConfiguration(hadoop));
            int partitions = partitions(job, plan.toLabel().size(), jsc.defaultParallelism());
            JavaRDD<Row> rows = jsc.parallelize(plan.toLabel(), partitions)
                    .mapPartitions(new LabelPartition(taskBc, confBc, done, failed, tally, executorReports));
            all = spark.createDataFrame(rows, LabelTable.SCHEMA);
        }
        if (!plan.carried().isEmpty()) {
            Dataset<Row> keep = spark.createDataset(new ArrayList<>(plan.carried()), Encoders.STRING()).toDF("keep_uri");
            // Read with today's schema: a run written before a column existed (instances' object_score_logit)
            // reads it as null, so its rows carry over into the new run's schema.
            Dataset<Row> previousRows = spark.read().schema(LabelTable.SCHEMA)
                    .parquet(Runs.labelsDir(output, plan.from()));
            org.apache.spark.sql.Column[] columns = java.util.Arrays.stream(LabelTable.SCHEMA.fieldNames())
                    .map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new);
            Dataset<Row> carried = previousRows.join(org.apache.spark.sql.functions.broadcast(keep),
                    col("uri").equalTo(col("keep_uri"))).select(columns);
            all = all == null ? carried : carried.unionByName(all);
        }
        String labelsDir = Runs.labelsDir(output, runId);
        // created_at as Parquet's TIMESTAMP(MICROS, UTC) logical type that pandas, DuckDB and Polars read as a
        // timestamp, not Spark's default INT96 (deprecated in Parquet, read as raw bytes by some readers).
        spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        try {
            // Named for the Spark UI's jobs page: what the stage does and how much of it.
            spark.sparkContext().setJobDescription(String.format(Locale.ROOT, "label: %,d images (run %s, %,d carried"
                    + " over)", plan.toLabel().size(), runId, plan.carried().size()));
            try (Progress p = new Progress(spark.sparkContext(), "label " + runId, plan.toLabel().size(), done,
                    failed, job.progressMillis(), out)) {
                all.write().mode(SaveMode.ErrorIfExists).parquet(labelsDir);
            }
            spark.sparkContext().setJobDescription("label: inputs of run " + runId);
            CarryOver.writeInputs(spark, refs, settings.supervision(), output, runId);
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
        long labelledAt = System.currentTimeMillis();

        // Carried-over rows are OK rows by construction (plan); the labelled ones were tallied as written.
        LabelTally.Totals written = tally.value();
        Map<String, Long> counts = new TreeMap<>(written.counts());
        if (!plan.carried().isEmpty()) {
            counts.merge("OK", (long) plan.carried().size(), Long::sum);
        }
        List<String> firstErrors = written.firstErrors();
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        long failedRows = total - counts.getOrDefault("OK", 0L);
        double failedFraction = total == 0 ? 0 : failedRows / (double) total;
        Map<String, Long> durations = new LinkedHashMap<>();
        durations.put("list", listed - start);
        durations.put("plan", planned - listed);
        durations.put("label", labelledAt - planned);
        List<ExecutorUse> executors = ExecutorUse.summarize(executorReports.value());
        spark.sparkContext().setJobDescription("label " + runId + ": statistics");
        RunStats stats = RunStats.of(spark, labelsDir, previous == null ? null : Runs.labelsDir(output, previous),
                runId, job.maxQualityDrop());
        spark.sparkContext().setJobDescription(null);
        out.println("label " + runId + ": " + stats.summary());
        boolean gate = failedFraction > runSettings.maxFailedFraction();
        boolean qualityGate = !gate && stats.qualityGate();
        String detail = gate ? String.format(Locale.ROOT, "%d of %d images failed (%.1f%%), more than "
                + "pseudolabel.job.max-failed-fraction = %s; %s %s", failedRows, total,
                100 * failedFraction, runSettings.maxFailedFraction(), Runs.LATEST,
                previous == null ? "no run yet" : "still names run " + previous)
                : qualityGate ? String.format(Locale.ROOT, "mean quality %.4f fell %.4f since run %s (%.4f), more "
                + "than pseudolabel.job.max-quality-drop = %s; %s still names run %s", stats.meanQuality(),
                stats.qualityDrop(), previous, stats.previousMeanQuality(), stats.maxQualityDrop(), Runs.LATEST, previous)
                : previous == null ? "the output root's first run" : "follows run " + previous;
        Manifest manifest = new Manifest(runId, "label", options.images(), output, fingerprint,
                ModelFingerprint.LABELER_VERSION, JobConfig.render(config), createdAt, previous,
                gate || qualityGate ? NOT_PUBLISHED : PUBLISHED, detail, counts, firstErrors, failedFraction,
                runSettings.maxFailedFraction(), plan.carried().size(), done.value(), durations, executors,
                lease.record(), stats);
        writeManifest(output, manifest, hadoop);
        if (gate) {
            throw new RunNotPublishedException(RunNotPublishedException.FAILED_GATE, "run " + runId + " was "
                    + "labelled but not published: " + detail + ". By status: " + counts + errorLines(firstErrors)
                    + "\nIts rows and manifest are kept under " + Runs.runDir(output, runId));
        }
        if (qualityGate) {
            throw new RunNotPublishedException(RunNotPublishedException.QUALITY_GATE, "run " + runId + " was "
                    + "labelled but not published: " + detail + ".\nIts rows and manifest are kept under "
                    + Runs.runDir(output, runId));
        }
        try {
            lease.checkHeld();
            Runs.publish(output, runId, previous, hadoop);
        } catch (RunNotPublishedException e) {
            writeManifest(output, manifest.withOutcome(NOT_PUBLISHED, e.getMessage()), hadoop);
            throw e;
        }
        Retention.afterPublish(config, output, hadoop, out);
        return new Summary(runId, labelsDir, total, done.value(), plan.carried().size(), counts, firstErrors,
                fingerprint, System.currentTimeMillis() - start, executors, previous, PUBLISHED);
    }

    /**
     * A night with nothing new, changed or removed: the published run already holds every row, so this run
     * loads no models and writes no table; its manifest records it, and {@code _LATEST} stays where it is.
     */
    private static Summary unchanged(SparkSession spark, Config config, Options options, PrintStream out, long start,
            long listed, long planned, String output, String runId, String previous, String fingerprint,
            long createdAt, CarryOver.Plan plan, RunSettings runSettings, Lease lease, Configuration hadoop)
            throws IOException {
        Map<String, Long> counts = new TreeMap<>(Map.of("OK", (long) plan.carried().size()));
        Map<String, Long> durations = new LinkedHashMap<>();
        durations.put("list", listed - start);
        durations.put("plan", planned - listed);
        Manifest manifest = new Manifest(runId, "label", options.images(), output, fingerprint,
                ModelFingerprint.LABELER_VERSION, JobConfig.render(config), createdAt, previous, UNCHANGED,
                "nothing new, changed or removed since run " + previous + ", which stays " + Runs.LATEST,
                counts, List.of(), 0, runSettings.maxFailedFraction(), plan.carried().size(), 0, durations, List.of(),
                lease.record(), null);
        writeManifest(output, manifest, hadoop);
        out.printf("unchanged: all %d images are as run %s labelled them; no model loaded, %s stays %s%n",
                plan.carried().size(), previous, Runs.LATEST, previous);
        return new Summary(runId, Runs.labelsDir(output, previous), plan.carried().size(), 0, plan.carried().size(),
                counts, List.of(), fingerprint, System.currentTimeMillis() - start, List.of(), previous, UNCHANGED);
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
                    + "--supervision " + settings.supervision().name().toLowerCase(java.util.Locale.ROOT)
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
