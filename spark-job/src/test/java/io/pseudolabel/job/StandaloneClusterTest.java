package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.job.executor.ExecutorUse;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The label job on a real Spark standalone cluster: a Master and two Workers, each its own JVM on
 * 127.0.0.1 with one core and one fake GPU ("0" and "1") advertised by {@code deploy/gpu-discovery.sh};
 * the application asks for one GPU per executor and per task. The models run on the CPU
 * ({@code pseudolabel.models.device=cpu}) since the GPUs are not real; the tasks still get their addresses.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    static final String BUCKET = "cluster-nightly";
    static final int IMAGES = 6;

    @TempDir
    static Path tmp;
    static Path voc;
    static Map<String, Row> local;
    static StandaloneCluster cluster;
    static S3TestServer s3;
    static SparkSession spark;

    @BeforeAll
    static void startCluster() throws Exception {
        voc = tmp.resolve("voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 5L)).write(voc, IMAGES, 0);
        long t0 = System.currentTimeMillis();
        // The servers boot while the local[2] reference run works.
        cluster = StandaloneCluster.launch(tmp.resolve("cluster"), List.of("0", "1"), 1024);
        LabelJob.Summary ref = LabelJob.run(TestSpark.session(), vocConfig(4), new LabelJob.Options(voc.toString(),
                tmp.resolve("out-local").toString(), "local", false), quiet());
        local = byImageId(TestSpark.session(), ref.labelsDir());
        TestSpark.stop();
        long t1 = System.currentTimeMillis();
        s3 = S3TestServer.start();
        s3.createBucket(BUCKET);
        cluster.awaitWorkers();
        long t2 = System.currentTimeMillis();
        SparkSession.Builder b = SparkSession.builder().master(cluster.masterUrl()).appName("pseudolabel-cluster-test")
                .config("spark.jars", String.join(",", cluster.applicationJars()))
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.executor.memory", "512m").config("spark.executor.cores", "1")
                .config("spark.cores.max", "2")
                .config("spark.executor.resource.gpu.amount", "1").config("spark.task.resource.gpu.amount", "1")
                .config("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Djava.awt.headless=true -XX:+UseSerialGC")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "2");
        s3.s3aSettings(BUCKET).forEach((k, v) -> b.config("spark.hadoop." + k, v));
        spark = b.getOrCreate();
        long deadline = System.currentTimeMillis() + 180_000;
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) { // the driver counts too
            assertTrue(System.currentTimeMillis() < deadline, "two executors did not register\n" + cluster.logTail());
            Thread.sleep(200);
        }
        System.out.printf("cluster test: local[2] reference %d ms, then master+2 workers up after %d ms more, executors %d ms%n",
                t1 - t0, t2 - t1, System.currentTimeMillis() - t2);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            if (spark != null) {
                spark.stop();
            }
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        } finally {
            try {
                if (cluster != null) {
                    cluster.close();
                }
            } finally {
                if (s3 != null) {
                    s3.close();
                }
            }
        }
    }

    @Test
    @Order(1)
    void labelsOnBothGpuExecutorsOnceLoadedAndLikeLocal() throws Exception {
        long t = System.currentTimeMillis();
        LabelJob.Summary s = LabelJob.run(spark, vocConfig(4), new LabelJob.Options(voc.toString(),
                tmp.resolve("out-cluster").toString(), "cluster", false), quiet());
        System.out.printf("cluster test: label %d images in 4 tasks on the cluster %d ms%n", IMAGES,
                System.currentTimeMillis() - t);
        assertEquals(Map.of("OK", (long) IMAGES), s.counts());

        List<ExecutorUse> executors = s.executors();
        assertEquals(2, executors.size(), "tasks ran on both executors: " + executors);
        Set<String> gpus = new HashSet<>();
        for (ExecutorUse e : executors) {
            assertTrue(e.tasks() > 0, e.toString());
            assertEquals(e.tasks(), e.gpuTasks(), "every task saw a GPU address: " + e);
            assertEquals(1, e.gpus().size(), "one GPU per executor: " + e);
            gpus.addAll(e.gpus());
            assertEquals(1, e.modelLoads(), "each executor loaded its models once: " + e);
            assertEquals("127.0.0.1", e.host());
        }
        assertEquals(Set.of("0", "1"), gpus, "each executor got its own worker's GPU");
        assertEquals(4, executors.stream().mapToInt(ExecutorUse::tasks).sum());
        String manifest = Files.readString(tmp.resolve("out-cluster/runs/cluster/_MANIFEST.json"));
        assertTrue(manifest.contains("\"executors\"") && manifest.contains("\"modelLoads\": 1"), manifest);

        Map<String, Row> onCluster = byImageId(spark, s.labelsDir());
        assertEquals(local.keySet(), onCluster.keySet());
        for (String id : local.keySet()) {
            Row a = local.get(id);
            Row b = onCluster.get(id);
            assertArrayEquals((byte[]) a.getAs("semantic_png"), (byte[]) b.getAs("semantic_png"), id);
            assertEquals(a.getList(a.fieldIndex("instances")), b.getList(b.fieldIndex("instances")), id);
            assertEquals(a.getList(a.fieldIndex("labels")), b.getList(b.fieldIndex("labels")), id);
            for (String c : List.of("width", "height", "content_sha256", "status", "model_fingerprint")) {
                assertEquals((Object) a.getAs(c), b.getAs(c), id + " " + c);
            }
        }
    }

    @Test
    @Order(2)
    void nightlyIncrementalRunsOnTheClusterAgainstS3() throws Exception {
        SceneGenerator scenes = new SceneGenerator(FixtureWorld.load(), 21L);
        for (int i = 0; i < 4; i++) {
            s3.put(BUCKET, "images/img" + i + ".jpg", jpeg(scenes, i));
        }
        s3.put(BUCKET, "classes.txt", String.join("\n", FixtureWorld.load().classNames()).getBytes(StandardCharsets.UTF_8));
        for (String model : List.of("clip", "grounding-dino", "sam")) {
            s3.upload(TestSpark.fixtureModels().resolve(model), BUCKET, "models/" + model);
        }
        String root = "s3a://" + BUCKET;
        long t = System.currentTimeMillis();
        String first = label(root, "night-1");
        assertTrue(first.contains("run night-1: 4 images (4 labelled, 0 carried over)"), first);
        assertEquals("night-1\n", new String(s3.get(BUCKET, "out/_LATEST"), StandardCharsets.UTF_8));

        s3.put(BUCKET, "images/img4.jpg", jpeg(scenes, 4));               // new
        byte[] changed = jpeg(scenes, 9);
        assertTrue(changed.length != s3.get(BUCKET, "images/img1.jpg").length);
        s3.put(BUCKET, "images/img1.jpg", changed);                       // changed
        s3.store().removeBlob(BUCKET, "images/img3.jpg");                 // gone
        String second = label(root, "night-2");
        System.out.printf("cluster test: two nightly runs on S3 %d ms%n", System.currentTimeMillis() - t);
        assertTrue(second.contains("incremental: 2 of 4 images unchanged since run night-1, 2 to label"), second);
        assertTrue(second.contains("run night-2: 4 images (2 labelled, 2 carried over)"), second);
        assertEquals("night-2\n", new String(s3.get(BUCKET, "out/_LATEST"), StandardCharsets.UTF_8));
        Map<String, String> runOf = new TreeMap<>();
        for (Row r : spark.read().parquet(root + "/out/runs/night-2/labels").collectAsList()) {
            assertEquals(null, runOf.put(r.getAs("image_id"), r.getAs("run_id")), "each image once");
            assertEquals("OK", r.getAs("status"));
        }
        assertEquals(Map.of("img0", "night-1", "img1", "night-2", "img2", "night-1", "img4", "night-2"), runOf);
        for (String out : List.of(first, second)) {
            assertFalse(out.contains(S3TestServer.SECRET_KEY), out);
        }
    }

    @Test
    @Order(3)
    void anExecutorKilledMidStageLosesNoImageAndLatestNamesACompleteRun() throws Exception {
        AtomicInteger labelStage = new AtomicInteger(-1);
        Map<String, AtomicInteger> started = new ConcurrentHashMap<>();
        AtomicReference<String> killed = new AtomicReference<>();
        AtomicInteger lostTasks = new AtomicInteger();
        SparkListener killer = new SparkListener() {
            @Override
            public void onStageSubmitted(SparkListenerStageSubmitted e) {
                if (e.stageInfo().numTasks() == IMAGES) {
                    labelStage.compareAndSet(-1, e.stageInfo().stageId());
                }
            }

            @Override
            public void onTaskStart(SparkListenerTaskStart e) {
                String exec = e.taskInfo().executorId();
                // The second task an executor starts in the label stage: it has finished one, holds one.
                if (e.stageId() == labelStage.get()
                        && started.computeIfAbsent(exec, k -> new AtomicInteger()).incrementAndGet() == 2
                        && killed.compareAndSet(null, exec)) {
                    cluster.executorProcess(exec).orElseThrow(() -> new IllegalStateException(
                            "no JVM for executor " + exec)).destroyForcibly();
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (e.stageId() == labelStage.get() && !e.taskInfo().successful()) {
                    lostTasks.incrementAndGet();
                }
            }
        };
        spark.sparkContext().addSparkListener(killer);
        LabelJob.Summary s;
        long t = System.currentTimeMillis();
        try {
            s = LabelJob.run(spark, vocConfig(IMAGES), new LabelJob.Options(voc.toString(),
                    tmp.resolve("out-fault").toString(), "survived", false), quiet());
        } finally {
            spark.sparkContext().removeSparkListener(killer);
        }
        System.out.printf("cluster test: label with executor %s killed mid-stage %d ms, %d task(s) lost%n",
                killed.get(), System.currentTimeMillis() - t, lostTasks.get());
        assertNotNull(killed.get(), "an executor was killed");
        assertTrue(lostTasks.get() >= 1, "the killed executor's running task failed and ran again");
        assertEquals(Map.of("OK", (long) IMAGES), s.counts());
        Map<String, Row> rows = byImageId(spark, s.labelsDir());
        assertEquals(local.keySet(), rows.keySet(), "every image exactly once");
        assertEquals("survived", Files.readString(tmp.resolve("out-fault/_LATEST")).strip());
        assertTrue(Files.isRegularFile(tmp.resolve("out-fault/runs/survived/_MANIFEST.json")));
        // Successful attempts only: one report per partition, whichever executor ran it.
        assertEquals(IMAGES, s.executors().stream().mapToInt(ExecutorUse::tasks).sum(), s.executors().toString());
        for (ExecutorUse e : s.executors()) {
            assertEquals(1, e.modelLoads(), "a replacement executor loads its models once too: " + e);
        }
        for (String id : local.keySet()) {
            assertArrayEquals((byte[]) local.get(id).getAs("semantic_png"), (byte[]) rows.get(id).getAs("semantic_png"));
        }
    }

    static String label(String root, String runId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"label", "--images", root + "/images", "--models", root + "/models",
                "--output", root + "/out", "--classes", root + "/classes.txt", "--layout", "folder", "--run-id", runId,
                "--incremental", "--conf", "pseudolabel.models.device=cpu", "--conf", "pseudolabel.job.partitions=2"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed);
        return printed;
    }

    static byte[] jpeg(SceneGenerator scenes, int index) {
        return VocSceneWriter.jpeg(scenes.scene(index).image(), VocSceneWriter.JPEG_QUALITY);
    }

    static Config vocConfig(int partitions) {
        return TestSpark.config(Map.of("pseudolabel.job.layout", "voc", "pseudolabel.job.split", "train",
                "pseudolabel.job.classes", voc.resolve("classes.txt").toString(), "pseudolabel.models.device", "cpu",
                "pseudolabel.job.partitions", Integer.toString(partitions)));
    }

    static Map<String, Row> byImageId(SparkSession session, String labelsDir) {
        Map<String, Row> out = new HashMap<>();
        List<Row> rows = new ArrayList<>(session.read().parquet(labelsDir).collectAsList());
        for (Row r : rows) {
            assertEquals(null, out.put(r.getAs("image_id"), r), "image " + r.getAs("image_id") + " twice");
        }
        return out;
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }
}
