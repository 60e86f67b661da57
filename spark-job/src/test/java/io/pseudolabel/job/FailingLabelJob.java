package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.clip.ZeroShotClassifier;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.Layout;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.label.LabelPartition;
import io.pseudolabel.job.label.LabelTally;
import io.pseudolabel.job.label.LabelTask;
import io.pseudolabel.job.label.ReadRetry;
import io.pseudolabel.labeler.ModelFingerprint;
import io.pseudolabel.onnx.NativeCalls;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A Spark job of {@code labelling} real label partitions ({@link LabelPartition} on the fixture models) and
 * one more task that fails as soon as one of them is inside a model call, so a test can check what a failure
 * does to tasks that are in ONNX Runtime at that moment. Local masters only: the rows the labelling tasks
 * produce are recorded in this JVM.
 */
final class FailingLabelJob {
    static final String FAILURE = "task fails while another task is inside a model call";
    /** The status of every row the labelling tasks produced, in this JVM. */
    static final ConcurrentLinkedQueue<String> STATUSES = new ConcurrentLinkedQueue<>();

    private FailingLabelJob() {}

    /** {@code n} generated scenes as JPEGs in {@code dir}. */
    static Path scenes(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        SceneGenerator scenes = new SceneGenerator(FixtureWorld.load(), 11L);
        for (int i = 0; i < n; i++) {
            Files.write(dir.resolve(String.format("scene-%03d.jpg", i)),
                    VocSceneWriter.jpeg(scenes.scene(i).image(), VocSceneWriter.JPEG_QUALITY));
        }
        return dir;
    }

    /** Runs the job; it always fails, with {@link #FAILURE} in its message. */
    static void run(SparkSession spark, Config config, Path images, int labelling) throws IOException {
        STATUSES.clear();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        LabelerSettings settings = LabelerSettings.from(config);
        List<String> classes = FixtureWorld.load().classNames();
        String fingerprint = ModelFingerprint.of(settings, classes);
        JobSettings job = JobSettings.from(config);
        LabelTask task = new LabelTask(settings, classes, new ZeroShotClassifier(
                LabelJob.textEmbeddings(settings, classes, fingerprint), settings.clip().logitScale()), fingerprint,
                fingerprint, "failing", 0L, job.prepareThreads(), job.batchSize(), ReadRetry.from(config));
        List<ImageRef> refs = DatasetLister.list(Layout.FOLDER, images.toString(), null, null, false, false,
                jsc.hadoopConfiguration());
        LabelTally tally = new LabelTally();
        jsc.sc().register(tally, "tally");
        JavaRDD<Row> rows = jsc.parallelize(refs, labelling).mapPartitions(new LabelPartition(jsc.broadcast(task),
                jsc.broadcast(new SerializableConfiguration(jsc.hadoopConfiguration())), jsc.sc().longAccumulator(),
                jsc.sc().longAccumulator(), tally, jsc.sc().collectionAccumulator()));
        JavaRDD<Row> failing = jsc.parallelize(List.of(0), 1).map(x -> {
            while (NativeCalls.inFlight() == 0) {
                Thread.sleep(5);
            }
            throw new IllegalStateException(FAILURE);
        });
        int status = LabelTable.SCHEMA.fieldIndex("status");
        rows.union(failing).foreach(r -> STATUSES.add(r.getString(status)));
    }

    /** reference.conf over the fixture models, with {@code more}. */
    static Config config(Map<String, String> more) {
        Map<String, String> m = new HashMap<>(Map.of("pseudolabel.job.batch-size", "4"));
        m.putAll(more);
        return TestSpark.config(m);
    }

    /** The statuses recorded so far (a copy). */
    static List<String> statuses() {
        return new ArrayList<>(STATUSES);
    }
}
