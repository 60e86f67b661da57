package io.pseudolabel.job;

import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.run.Lease;
import io.pseudolabel.job.run.RunNotPublishedException;
import io.pseudolabel.job.run.RunSettings;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Images, models and output all on {@code s3a://} against an S3-compatible server on loopback: a VOC set
 * and the fixture models are put into a bucket, a nightly-style incremental run labels it, the run and
 * {@code _LATEST} are read back from the bucket, a second run after one image was added labels exactly
 * that image, a third with nothing new leaves {@code _LATEST} alone, and a run is refused while another holds
 * the root's lease.
 */
class S3LabelTest {
    static final String BUCKET = "s3-label-test";

    @TempDir
    static Path tmp;
    static S3TestServer s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3TestServer.start();
        s3.createBucket(BUCKET);
        s3.applyTo(TestSpark.session().sparkContext().hadoopConfiguration(), BUCKET);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void nightlyRunsReadAndWriteTheBucket() throws Exception {
        Path voc = tmp.resolve("voc");
        VocSceneWriter.Splits splits = new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 11L)).write(voc, 6, 0);
        String added = splits.train().get(5);
        for (String dir : List.of("JPEGImages", "SegmentationClass", "Annotations")) {
            try (var files = Files.list(voc.resolve(dir))) {
                for (Path f : files.toList()) {
                    if (!f.getFileName().toString().startsWith(added + ".")) {
                        s3.put(BUCKET, "voc/" + dir + "/" + f.getFileName(), Files.readAllBytes(f));
                    }
                }
            }
        }
        s3.put(BUCKET, "voc/classes.txt", Files.readAllBytes(voc.resolve("classes.txt")));
        s3.put(BUCKET, "voc/ImageSets/Segmentation/train.txt",
                String.join("\n", splits.train().subList(0, 5)).concat("\n").getBytes(StandardCharsets.UTF_8));
        for (String model : List.of("clip", "grounding-dino", "sam")) {
            s3.upload(TestSpark.fixtureModels().resolve(model), BUCKET, "models/" + model);
        }

        String root = "s3a://" + BUCKET;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        LabelJob.Summary first = run(root, "night-1", log);
        assertEquals(5, first.labelled());
        assertEquals(Map.of("OK", 5L), first.counts());
        assertEquals("night-1\n", new String(s3.get(BUCKET, "out/_LATEST"), StandardCharsets.UTF_8));
        String manifest = new String(s3.get(BUCKET, "out/runs/night-1/_MANIFEST.json"), StandardCharsets.UTF_8);
        assertTrue(manifest.contains("\"modelFingerprint\": \"" + first.fingerprint() + "\""), manifest);
        assertTrue(manifest.contains("s3a://" + BUCKET + "/models"), "the manifest names the models on S3");

        // One more image arrives overnight.
        for (String f : List.of("JPEGImages/" + added + ".jpg", "SegmentationClass/" + added + ".png",
                "Annotations/" + added + ".xml")) {
            s3.put(BUCKET, "voc/" + f, Files.readAllBytes(voc.resolve(f)));
        }
        s3.put(BUCKET, "voc/ImageSets/Segmentation/train.txt",
                Files.readAllBytes(voc.resolve("ImageSets/Segmentation/train.txt")));
        LabelJob.Summary second = run(root, "night-2", log);
        assertEquals(1, second.labelled(), "only the new image is labelled");
        assertEquals(5, second.carriedOver());
        assertEquals("night-2\n", new String(s3.get(BUCKET, "out/_LATEST"), StandardCharsets.UTF_8));

        SparkSession spark = TestSpark.session();
        Map<String, Row> rows = new HashMap<>();
        for (Row r : spark.read().parquet(root + "/out/runs/night-2/labels").collectAsList()) {
            assertEquals(null, rows.put(r.getAs("image_id"), r), "each image once");
        }
        assertEquals(splits.train().stream().sorted().toList(), rows.keySet().stream().sorted().toList());
        assertEquals("night-2", rows.get(added).getAs("run_id"));
        assertEquals("OK", rows.get(added).getAs("status"));
        assertEquals(root + "/voc/JPEGImages/" + added + ".jpg", rows.get(added).getAs("uri"));
        assertEquals("night-1", rows.get(splits.train().get(0)).getAs("run_id"));

        // A night with nothing new: exit normally, load no model, record itself, leave _LATEST on night-2.
        LabelJob.Summary third = run(root, "night-3", log);
        assertEquals(LabelJob.UNCHANGED, third.outcome());
        assertEquals(0, third.labelled());
        assertEquals(List.of(), third.executors(), "no label task ran");
        assertEquals("night-2\n", new String(s3.get(BUCKET, "out/_LATEST"), StandardCharsets.UTF_8));
        String unchanged = new String(s3.get(BUCKET, "out/runs/night-3/_MANIFEST.json"), StandardCharsets.UTF_8);
        assertTrue(unchanged.contains("\"outcome\": \"unchanged\"") && unchanged.contains("\"previousRun\": \"night-2\""),
                unchanged);

        // While another run holds the bucket's output root, a run is refused by name (the lease is a PUT with
        // If-None-Match: * on s3a).
        Configuration conf = TestSpark.session().sparkContext().hadoopConfiguration();
        try (Lease held = Lease.acquire(root + "/out", "cron-night", RunSettings.from(TestSpark.config(Map.of())),
                conf, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            RunNotPublishedException busy = Assertions.assertThrows(
                    RunNotPublishedException.class, () -> run(root, "manual", log));
            assertTrue(busy.getMessage().contains("in use by run cron-night"), busy.getMessage());
        }
        assertEquals("night-2\n", new String(s3.get(BUCKET, "out/_LATEST"), StandardCharsets.UTF_8));

        // The test credentials went in through the Hadoop configuration; they never reach output or logs.
        String printed = log.toString(StandardCharsets.UTF_8);
        for (String text : List.of(printed, manifest,
                new String(s3.get(BUCKET, "out/runs/night-2/_MANIFEST.json"), StandardCharsets.UTF_8))) {
            assertFalse(text.contains(S3TestServer.SECRET_KEY), text);
            assertFalse(text.contains(S3TestServer.ACCESS_KEY), text);
        }
    }

    @Test
    void aConfigFileOnS3IsReadWithSparkHadoopSettingsFromConfAndSecretsStayHidden() throws Exception {
        String bucket = "s3-config-test";
        s3.createBucket(bucket);
        s3.put(bucket, "conf/nightly.conf", ("pseudolabel.job.batch-size = 3\n"
                + "pseudolabel.models.dir = \"s3a://AKIAEXAMPLE:topsecret@" + bucket + "/models\"\n")
                .getBytes(StandardCharsets.UTF_8));
        List<String> confs = new ArrayList<>();
        s3.s3aSettings(bucket).forEach((k, v) -> confs.add("spark.hadoop." + k + "=" + v));
        confs.add("pseudolabel.job.partitions=5");
        try {
            var config = JobConfig.load("s3a://" + bucket + "/conf/nightly.conf", confs);
            assertEquals(3, config.getInt("pseudolabel.job.batch-size"));
            assertEquals(5, config.getInt("pseudolabel.job.partitions"));
            assertEquals(S3TestServer.SECRET_KEY, System.getProperty("spark.hadoop.fs.s3a.bucket." + bucket
                    + ".secret.key"), "--conf spark.* reaches SparkConf the way spark-submit's --conf does");
            String shown = JobConfig.render(config);
            assertTrue(shown.contains("s3a://***@" + bucket + "/models"), shown);
            for (String secret : List.of("topsecret", "AKIAEXAMPLE", S3TestServer.SECRET_KEY, S3TestServer.ACCESS_KEY)) {
                assertFalse(shown.contains(secret), shown);
            }
        } finally {
            s3.s3aSettings(bucket).keySet().forEach(k -> System.clearProperty("spark.hadoop." + k));
        }
    }

    static LabelJob.Summary run(String root, String runId, ByteArrayOutputStream log) throws Exception {
        var config = TestSpark.config(Map.of("pseudolabel.models.dir", root + "/models", "pseudolabel.job.layout",
                "voc", "pseudolabel.job.split", "train", "pseudolabel.job.classes", root + "/voc/classes.txt"));
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        out.println("effective configuration:\n" + JobConfig.render(config));
        Configuration hadoop = TestSpark.session().sparkContext().hadoopConfiguration();
        assertEquals(S3TestServer.SECRET_KEY, hadoop.get("fs.s3a.bucket." + BUCKET + ".secret.key"));
        return LabelJob.run(TestSpark.session(), config,
                new LabelJob.Options(root + "/voc", root + "/out", runId, true), out);
    }
}
