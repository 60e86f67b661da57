package io.pseudolabel.job.label;

import com.typesafe.config.Config;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.clip.ZeroShotClassifier;
import io.pseudolabel.clip.head.ClipHead;
import io.pseudolabel.clip.head.ClipHeadFormat;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.job.JobConfig;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.head.ClipHeads;
import io.pseudolabel.job.run.Manifest;
import io.pseudolabel.job.run.Retention;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.labeler.ModelFingerprint;
import io.pseudolabel.labeler.Supervision;
import io.pseudolabel.onnx.ExecutionDevice;
import io.pseudolabel.onnx.RuntimeOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;

/**
 * The label stage on the driver: list images, plan (carry unchanged images over from {@code _LATEST} when
 * incremental), label the rest in {@code mapPartitions}, write the run, then its manifest, then
 * {@code _LATEST}. Any failure before the last step leaves {@code _LATEST} where it was.
 */
public final class LabelJob {
    /** Side table of a run: what each input looked like on disk, for the next incremental run. */
    static final StructType INPUTS = new StructType()
            .add("uri", DataTypes.StringType, false)
            .add("size", DataTypes.LongType, false)
            .add("mtime", DataTypes.LongType, false);

    public record Options(String images, String output, String runId, boolean incremental) {}

    /** What a run did; also printed. */
    public record Summary(String runId, String labelsDir, long total, long labelled, long carriedOver,
            Map<String, Long> counts, List<String> firstErrors, String fingerprint, long millis,
            List<ExecutorUse> executors) {}

    private LabelJob() {}

    public static Summary run(SparkSession spark, Config config, Options options, PrintStream out) throws IOException {
        long start = System.currentTimeMillis();
        JobSettings job = JobSettings.from(config);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = jsc.hadoopConfiguration();
        LabelerSettings remote = LabelerSettings.from(config);
        // The driver needs local copies for the fingerprint and the CLIP text side; executors make their own.
        LabelerSettings settings = ModelLocalizer.localize(remote, hadoop);
        String output = HadoopFiles.normalize(options.output());
        String runId = Runs.checkRunId(options.runId() != null ? options.runId() : Runs.newRunId());
        if (HadoopFiles.exists(Runs.runDir(output, runId), hadoop)) {
            throw new IllegalArgumentException("run " + runId + " already exists under " + output);
        }
        List<String> classes = ClassList.resolve(job.classes(), hadoop);
        List<ImageRef> refs = DatasetLister.list(job.layout(), options.images(), job.split(), job.annotations(),
                settings.supervision() != Supervision.NONE, options.incremental(), hadoop);
        String modelsFingerprint = ModelFingerprint.of(settings, classes);
        ClipHead head = loadHead(config.getString("pseudolabel.job.clip-head"), settings, classes, hadoop);
        // A head labels differently from zero-shot prompts: rows say which, so --incremental redoes the others.
        String fingerprint = head == null ? modelsFingerprint
                : ModelFingerprint.withHead(modelsFingerprint, ClipHeadFormat.digest(head)
                        + (head.multiLabel() ? " min-prob=" + settings.clip().multiLabelMinProb() : ""));
        long listed = System.currentTimeMillis();

        Plan plan = options.incremental() ? plan(spark, output, refs, fingerprint, hadoop) : new Plan(refs, Set.of(), null);
        if (head != null) {
            out.printf("classes from the CLIP head %s instead of zero-shot prompts (label fingerprint %s)%n",
                    config.getString("pseudolabel.job.clip-head"), fingerprint);
        }
        if (plan.previousRun != null) {
            out.printf("incremental: %d of %d images unchanged since run %s, %d to label%n", plan.carried.size(),
                    refs.size(), plan.previousRun, plan.toLabel.size());
        }
        ImageClassifier classifier = null;
        if (head != null) {
            classifier = head;
        } else if (settings.supervision() == Supervision.NONE && !plan.toLabel.isEmpty()) {
            classifier = new ZeroShotClassifier(textEmbeddings(settings, classes, modelsFingerprint),
                    settings.clip().logitScale());
        }
        long createdAt = System.currentTimeMillis();
        LabelTask task = new LabelTask(remote, classes, classifier, modelsFingerprint, fingerprint, runId, createdAt,
                job.prepareThreads(), job.batchSize());
        Broadcast<LabelTask> taskBc = jsc.broadcast(task);
        Broadcast<SerializableConfiguration> confBc = jsc.broadcast(new SerializableConfiguration(hadoop));
        LongAccumulator done = jsc.sc().longAccumulator("images labelled");
        LongAccumulator failed = jsc.sc().longAccumulator("images failed");
        CollectionAccumulator<String> executorReports = jsc.sc().collectionAccumulator("label executors");
        LabelTally tally = new LabelTally();
        jsc.sc().register(tally, "label tally");

        int partitions = partitions(job, plan.toLabel.size(), jsc.defaultParallelism());
        JavaRDD<Row> rows = jsc.parallelize(plan.toLabel, partitions)
                .mapPartitions(new LabelPartition(taskBc, confBc, done, failed, tally, executorReports));
        Dataset<Row> labelled = spark.createDataFrame(rows, LabelTable.SCHEMA);
        Dataset<Row> all = labelled;
        if (!plan.carried.isEmpty()) {
            Dataset<Row> keep = spark.createDataset(new ArrayList<>(plan.carried), Encoders.STRING()).toDF("keep_uri");
            // Read with today's schema: a run written before a column existed (instances' object_score_logit)
            // reads it as null, so its rows carry over into the new run's schema.
            Dataset<Row> previous = spark.read().schema(LabelTable.SCHEMA)
                    .parquet(Runs.labelsDir(output, plan.previousRun));
            org.apache.spark.sql.Column[] columns = java.util.Arrays.stream(LabelTable.SCHEMA.fieldNames())
                    .map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new);
            all = previous.join(org.apache.spark.sql.functions.broadcast(keep), col("uri").equalTo(col("keep_uri")))
                    .select(columns)
                    .unionByName(labelled);
        }
        String labelsDir = Runs.labelsDir(output, runId);
        try (Progress p = new Progress(spark.sparkContext(), "label " + runId, plan.toLabel.size(), done, failed,
                job.progressMillis(), out)) {
            all.write().mode(SaveMode.ErrorIfExists).parquet(labelsDir);
        }
        writeInputs(spark, refs, Runs.runDir(output, runId));
        long labelledAt = System.currentTimeMillis();

        // Carried-over rows are OK rows by construction (plan); the labelled ones were tallied as written.
        LabelTally.Totals written = tally.value();
        Map<String, Long> counts = new TreeMap<>(written.counts());
        if (!plan.carried.isEmpty()) {
            counts.merge("OK", (long) plan.carried.size(), Long::sum);
        }
        List<String> firstErrors = written.firstErrors();
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Long> durations = new LinkedHashMap<>();
        durations.put("list_and_plan", listed - start);
        durations.put("label", labelledAt - listed);
        List<ExecutorUse> executors = ExecutorUse.summarize(executorReports.value());
        Manifest manifest = new Manifest(runId, "label", options.images(), output, fingerprint,
                JobConfig.render(config), createdAt, counts, plan.carried.size(), done.value(), durations, executors);
        HadoopFiles.writeAtomically(Runs.manifest(output, runId), manifest.toJson().getBytes(StandardCharsets.UTF_8),
                hadoop);
        Runs.publish(output, runId, hadoop);
        Retention.afterPublish(config, output, hadoop, out);
        return new Summary(runId, labelsDir, total, done.value(), plan.carried.size(), counts, firstErrors,
                fingerprint, System.currentTimeMillis() - start, executors);
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
        RuntimeOptions cpu = new RuntimeOptions(ExecutionDevice.CPU, -1, settings.runtime().optLevel(),
                settings.runtime().intraOpThreads(), settings.runtime().interOpThreads());
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

    private record Plan(List<ImageRef> toLabel, Set<String> carried, String previousRun) {}

    /** Images whose uri, size and mtime match the last run, labelled OK with the same fingerprint, carry over. */
    private static Plan plan(SparkSession spark, String output, List<ImageRef> refs, String fingerprint,
            Configuration hadoop) {
        String prev = Runs.latest(output, hadoop).orElse(null);
        if (prev == null) {
            return new Plan(refs, Set.of(), null);
        }
        Map<String, long[]> seen = new HashMap<>();
        for (Row r : spark.read().schema(INPUTS).parquet(HadoopFiles.child(Runs.runDir(output, prev), "inputs"))
                .collectAsList()) {
            seen.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2)});
        }
        Set<String> okSameModel = spark.read().parquet(Runs.labelsDir(output, prev))
                .filter(col("status").equalTo("OK").and(col("model_fingerprint").equalTo(fingerprint)))
                .select("uri").as(Encoders.STRING()).collectAsList().stream().collect(Collectors.toSet());
        List<ImageRef> toLabel = new ArrayList<>();
        Set<String> carried = new java.util.HashSet<>();
        for (ImageRef ref : refs) {
            long[] before = seen.get(ref.uri());
            boolean same = before != null && before[0] == ref.size() && before[1] == ref.mtime() && ref.size() >= 0
                    && ref.refused() == null;
            if (same && okSameModel.contains(ref.uri())) {
                carried.add(ref.uri());
            } else {
                toLabel.add(ref);
            }
        }
        return new Plan(toLabel, carried, prev);
    }

    private static void writeInputs(SparkSession spark, List<ImageRef> refs, String runDir) {
        List<Row> rows = refs.stream().map(r -> RowFactory.create(r.uri(), r.size(), r.mtime())).toList();
        spark.createDataFrame(rows, INPUTS).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                .parquet(HadoopFiles.child(runDir, "inputs"));
    }
}
