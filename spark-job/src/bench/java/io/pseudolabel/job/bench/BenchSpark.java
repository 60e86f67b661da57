package io.pseudolabel.job.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.executor.ExecutorModels;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.labeler.ModelFingerprint;
import io.pseudolabel.labeler.ModelSet;
import io.pseudolabel.labeler.PseudoLabeler;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** Spark sessions, label-job configs and the labeller the bench scenarios share. */
final class BenchSpark {
    private BenchSpark() {}

    static SparkSession start(String master) {
        return SparkSession.builder().master(master).appName("pseudolabel bench " + master)
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    static Config with(Config c, Map<String, ?> overrides) {
        for (Map.Entry<String, ?> e : overrides.entrySet()) {
            c = c.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
        }
        return c;
    }

    /**
     * The cheapest SAM fixture: the CHW encoder (normalised, padded input) and the official decoder; about
     * 20% less CPU per image than the default samexporter-style encoder.
     */
    static Config cheapestSam(Config c, Path models) {
        return with(c, Map.of("pseudolabel.models.sam", models.resolve("sam-chw").toString()));
    }

    /** Label-job config over a VOC tree of generated scenes. */
    static Config labelConfig(Config base, Path models, Path voc, String split, Supervision supervision,
            int ortThreads, int prepareThreads) {
        return with(base, Map.of(
                "pseudolabel.models.dir", models.toString(),
                "pseudolabel.supervision", supervision.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                "pseudolabel.models.ort.intra-op-threads", ortThreads,
                "pseudolabel.models.ort.inter-op-threads", 1,
                "pseudolabel.job.layout", "voc",
                "pseudolabel.job.split", split,
                "pseudolabel.job.classes", voc.resolve("classes.txt").toString(),
                "pseudolabel.job.prepare-threads", prepareThreads,
                "pseudolabel.job.progress-interval", "1h"));
    }

    /** What one label run took: the whole job, and its longest stage (the one that labels and writes). */
    record LabelRun(double jobMs, double stageMs, long labelled, Map<String, Long> counts) {}

    static LabelRun label(SparkSession spark, Config config, Path voc, Path output, String runId) throws IOException {
        StageTimes stages = new StageTimes();
        spark.sparkContext().addSparkListener(stages);
        try {
            long t0 = System.nanoTime();
            LabelJob.Summary s = LabelJob.run(spark, config,
                    new LabelJob.Options(voc.toString(), output.toString(), runId, false), quiet());
            double jobMs = Stats.millis(System.nanoTime() - t0);
            try {
                spark.sparkContext().listenerBus().waitUntilEmpty(30_000);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Spark listener bus did not drain", e);
            }
            return new LabelRun(jobMs, stages.longestMs, s.labelled(), s.counts());
        } finally {
            spark.sparkContext().removeSparkListener(stages);
        }
    }

    static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

    private static final class StageTimes extends SparkListener {
        volatile double longestMs;

        @Override
        public void onStageCompleted(SparkListenerStageCompleted event) {
            StageInfo i = event.stageInfo();
            if (i.submissionTime().isDefined() && i.completionTime().isDefined()) {
                long ms = (Long) i.completionTime().get() - (Long) i.submissionTime().get();
                longestMs = Math.max(longestMs, ms);
            }
        }
    }

    /**
     * The labeller a task of this config would build, on the same cached model set (ExecutorModels: one
     * per JVM, so the in-process loops and the Spark tasks of a local master share the sessions).
     */
    static LeasedLabeler labeler(Config config) {
        LabelerSettings settings = LabelerSettings.from(config);
        List<String> classes = ClassList.resolve(config.getString("pseudolabel.job.classes"));
        String fingerprint = ModelFingerprint.of(settings, classes);
        ExecutorModels.Lease<ModelSet> lease = ExecutorModels.acquire(settings, fingerprint,
                settings.runtime().withGpuId(-1));
        ClipTextEmbeddings text = null;
        if (settings.supervision() == Supervision.NONE) {
            try (ClipModel clip = ClipModel.load(settings.clipPath(), settings.runtime())) {
                text = clip.embedClasses(classes, settings.clip().templates(), settings.clip().textBatchSize(),
                        fingerprint);
            }
        }
        return new LeasedLabeler(new PseudoLabeler(lease.get(), settings, classes, text), lease);
    }

    /** A labeller on cached models, and the lease that keeps them open until {@link #close()}. */
    record LeasedLabeler(PseudoLabeler labeler, ExecutorModels.Lease<ModelSet> lease) implements AutoCloseable {
        @Override
        public void close() {
            lease.close();
        }
    }
}
