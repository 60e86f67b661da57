package io.pseudolabel.job.classify;

import com.typesafe.config.Config;
import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.Layout;
import io.pseudolabel.job.executor.ModelLocalizer;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.labeler.ModelFingerprint;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * eval-classify on the driver: image-level ground truth from a VOC or COCO listing, scores for every class
 * from CLIP on the executors (or from a label table), then AP per class. The scores come back to the
 * driver (C floats per image) because AP needs each class's whole ranking.
 */
public final class ClassifyJob {
    /**
     * @param images dataset root (VOC) or image folder (COCO)
     * @param labels a label table to score instead of running CLIP; null to run CLIP
     */
    public record Options(String images, String labels, String clipHead) {}

    private ClassifyJob() {}

    /** Reads {@code pseudolabel.job.{layout,split,annotations,classes,partitions}}, the CLIP and model keys. */
    public static ClassifyResult run(SparkSession spark, Config config, Options options, PrintStream out) {
        long start = System.currentTimeMillis();
        JobSettings job = JobSettings.from(config);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Layout layout = job.layout();
        if (layout == Layout.FOLDER) {
            throw new IllegalArgumentException("eval-classify needs ground truth: --layout voc or coco, not '"
                    + layout.key() + "'");
        }
        List<String> classes = ClassList.resolve(job.classes(), hadoop);
        List<ImageRef> refs = DatasetLister.list(layout, options.images(), job.split(), job.annotations(), true,
                false, hadoop);
        GroundTruth gt = GroundTruth.from(refs, classes, layout, options.images(), job.annotations());

        Map<String, ImageScores> scores;
        String description;
        if (options.labels() != null) {
            String table = Runs.resolveLabels(options.labels(), hadoop);
            out.println(LabelTableScores.TRUNCATION_WARNING);
            scores = LabelTableScores.read(spark, table, classes);
            description = "label table " + table + " (top-n labels only; other classes score 0)";
        } else {
            LabelerSettings clip = ModelLocalizer.clipOnly(config, "eval-classify without --labels TABLE");
            LabelerSettings local = ModelLocalizer.localize(clip, hadoop);
            String fingerprint = ModelFingerprint.ofClip(local.clipPath());
            ImageClassifier classifier;
            try {
                classifier = ClassifierSource.build(local, classes, fingerprint, options.clipHead(), hadoop);
            } catch (IOException e) {
                throw new UncheckedIOException("reading CLIP head " + options.clipHead() + ": " + e.getMessage(), e);
            }
            if (!classifier.classNames().equals(classes) || !classifier.modelFingerprint().equals(fingerprint)) {
                throw new IllegalArgumentException("the classifier scores " + classifier.classNames() + " on CLIP "
                        + classifier.modelFingerprint() + ", but eval-classify needs " + classes + " on CLIP "
                        + fingerprint + " (" + local.clipPath() + ")");
            }
            description = ClassifierSource.describe(classifier) + " from " + clip.clipDir();
            scores = clipScores(spark, new ClipScoreTask(clip, fingerprint, classifier,
                    job.batchSize(), job.prepareThreads(), local.image()), refs, job);
        }
        ClassifyResult r = ClassifyResult.of(gt, scores, description, System.currentTimeMillis() - start);
        if (r.numImages() == 0) {
            throw new IllegalArgumentException("no ground-truth image has scores: " + r.missingCount()
                    + " without scores (e.g. " + r.missing() + "), " + r.errorCount() + " failed (e.g. " + r.errors()
                    + "); do the ids of " + description + " match " + gt.description() + "?");
        }
        return r;
    }

    private static Map<String, ImageScores> clipScores(SparkSession spark, ClipScoreTask task, List<ImageRef> refs,
            JobSettings job) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ClipScoreTask> taskBc = jsc.broadcast(task);
        Broadcast<SerializableConfiguration> confBc = jsc.broadcast(
                new SerializableConfiguration(jsc.hadoopConfiguration()));
        int partitions = LabelJob.partitions(job, refs.size(), jsc.defaultParallelism());
        Map<String, ImageScores> byId = new LinkedHashMap<>();
        jsc.sc().setJobDescription(String.format(Locale.ROOT, "eval-classify: CLIP scores of %,d images",
                refs.size()));
        try {
            for (ImageScores s : jsc.parallelize(refs, partitions)
                    .mapPartitions(new ClipScorePartition(taskBc, confBc)).collect()) {
                byId.put(s.imageId(), s);
            }
        } finally {
            jsc.sc().setJobDescription(null);
        }
        return byId;
    }
}
