package io.pseudolabel.job;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.common.Spark;
import io.pseudolabel.job.common.StageProgress;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.Layout;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.eval.EvalResult;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.job.train.PredictJob;
import io.pseudolabel.job.train.SegmenterModel;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** What several commands share: settings from options, the progress line, the label summary, predict-and-eval. */
final class Commands {
    private Commands() {}

    static Config withModels(Config c, String models) {
        return set(c, "pseudolabel.models.dir", models);
    }

    /** {@code c} with {@code key} set to an option's value; unchanged when the option was not given. */
    static Config set(Config c, String key, String value) {
        return value == null ? c : c.withValue(key, ConfigValueFactory.fromAnyRef(value));
    }

    static long stopTimeoutMillis(Config c) {
        return JobSettings.from(c).stopTimeoutMillis();
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

    /** A command's Spark session with its {@link StageProgress} line, which ends with the command. */
    static final class Tracked implements AutoCloseable {
        private final String what;
        private final long intervalMillis;
        private final PrintStream out;
        private StageProgress progress;

        Tracked(String what, Config config, PrintStream out) {
            this.what = what;
            this.intervalMillis = JobSettings.from(config).progressMillis();
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

    /** Predicts a VOC split with a trained model and scores it against that split's ground truth. */
    static EvalResult predictAndEval(SparkSession spark, String modelDir, String vocRoot, String split, String output,
            List<String> classes, Config c) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        SegmenterModel model = SegmenterModel.read(modelDir, hadoop);
        List<ImageRef> images = DatasetLister.list(Layout.VOC, vocRoot, split, null, false, false, hadoop);
        String table = PredictJob.run(spark, model, images, output, false, ImageLimits.from(c));
        return EvalJob.run(spark, EvalJob.Spec.of(table, vocRoot, ImageLimits.from(c)).withSplit(split)
                .withClassNames(classes)
                .withSamples(24));
    }
}
