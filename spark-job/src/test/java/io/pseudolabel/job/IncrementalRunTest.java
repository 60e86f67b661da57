package io.pseudolabel.job;

import com.google.gson.JsonParser;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.run.RunNotPublishedException;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nightly runs: only new or changed images are labelled again; a killed run never moves _LATEST. */
class IncrementalRunTest {
    static final SceneGenerator SCENES = new SceneGenerator(FixtureWorld.load(), 21L);

    @TempDir
    Path tmp;

    static void writeScene(Path folder, String name, int index) throws Exception {
        Scene s = SCENES.scene(index);
        Files.write(folder.resolve(name + ".jpg"), VocSceneWriter.jpeg(s.image(), VocSceneWriter.JPEG_QUALITY));
    }

    static LabelJob.Summary run(Path images, Path out, String runId, boolean incremental) throws Exception {
        var config = TestSpark.config(Map.of("pseudolabel.job.layout", "folder", "pseudolabel.job.classes",
                classesFile(out).toString()));
        return LabelJob.run(TestSpark.session(), config, new LabelJob.Options(images.toString(), out.toString(), runId,
                incremental), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    static Path classesFile(Path out) throws Exception {
        Path f = out.resolveSibling("classes.txt");
        if (!Files.exists(f)) {
            Files.write(f, FixtureWorld.load().classNames());
        }
        return f;
    }

    static Map<String, Row> rowsByUri(String labelsDir) {
        SparkSession spark = TestSpark.session();
        Map<String, Row> out = new HashMap<>();
        for (Row r : spark.read().parquet(labelsDir).collectAsList()) {
            out.put(r.getAs("uri"), r);
        }
        return out;
    }

    @Test
    void secondRunLabelsOnlyNewAndChangedImagesAndKeepsTheRestByteIdentical() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images/nested"));
        for (int i = 0; i < 5; i++) {
            writeScene(images, "img" + i, i);
        }
        Path out = tmp.resolve("out");
        LabelJob.Summary first = run(images.getParent(), out, "night1", true);
        assertEquals(5, first.labelled());
        assertEquals(0, first.carriedOver());

        writeScene(images, "img5", 5);                       // added
        writeScene(images, "img6", 6);                       // added
        writeScene(images, "img1", 9);                       // changed content
        Files.setLastModifiedTime(images.resolve("img1.jpg"),
                FileTime.from(System.currentTimeMillis() + 5000, TimeUnit.MILLISECONDS));
        Files.delete(images.resolve("img3.jpg"));             // removed
        LabelJob.Summary second = run(images.getParent(), out, "night2", true);

        assertEquals(3, second.labelled(), "model calls: 2 new + 1 changed");
        assertEquals(3, second.carriedOver());
        assertEquals("night2", Files.readString(out.resolve("_LATEST")).strip());
        Map<String, Row> before = rowsByUri(first.labelsDir());
        Map<String, Row> after = rowsByUri(second.labelsDir());
        assertEquals(6, after.size());
        // The run's counts (tallied by the tasks, carried rows added) are the table's.
        assertEquals(Map.of("OK", 6L), second.counts());
        assertEquals(6, second.total());
        for (String kept : List.of("img0", "img2", "img4")) {
            String uri = uriOf(after, kept);
            assertEquals(before.get(uri), after.get(uri), kept + " must be carried over unchanged");
            assertEquals("night1", after.get(uri).getAs("run_id"));
        }
        for (String fresh : List.of("img1", "img5", "img6")) {
            assertEquals("night2", after.get(uriOf(after, fresh)).getAs("run_id"), fresh);
        }
        assertTrue(after.keySet().stream().noneMatch(u -> u.endsWith("img3.jpg")), "removed image disappears");
    }

    @Test
    void aRunWrittenBeforeInstancesHadAnObjectScoreIsCarriedOver() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < 3; i++) {
            writeScene(images, "img" + i, i);
        }
        Path out = tmp.resolve("out");
        LabelJob.Summary first = run(images, out, "night1", true);
        // night1 as an earlier version wrote it: instances without object_score_logit
        SparkSession spark = TestSpark.session();
        Path old = tmp.resolve("old-labels");
        spark.read().parquet(first.labelsDir()).withColumn("instances", org.apache.spark.sql.functions.expr(
                "transform(instances, i -> named_struct('class_id', i.class_id, 'name', i.name, 'box', i.box, "
                        + "'det_score', i.det_score, 'mask_iou', i.mask_iou, 'candidate', i.candidate, 'rle', i.rle))"))
                .write().parquet(old.toString());
        Path labels = Path.of(URI.create(first.labelsDir()));
        try (var files = Files.walk(labels)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
        Files.move(old, labels);
        Map<String, Row> before = rowsByUri(first.labelsDir());
        assertFalse(before.values().iterator().next().schema().json().contains("object_score_logit"));

        writeScene(images, "img3", 3);
        LabelJob.Summary second = run(images, out, "night2", true);
        assertEquals(1, second.labelled());
        assertEquals(3, second.carriedOver());
        Map<String, Row> after = rowsByUri(second.labelsDir());
        assertEquals(4, after.size());
        for (String kept : List.of("img0", "img1", "img2")) {
            Row b = before.get(uriOf(before, kept));
            Row a = after.get(uriOf(after, kept));
            assertEquals("night1", a.getAs("run_id"));
            assertEquals(b.<String>getAs("content_sha256"), a.getAs("content_sha256"));
            List<Row> bi = b.getList(b.fieldIndex("instances"));
            List<Row> ai = a.getList(a.fieldIndex("instances"));
            assertEquals(bi.size(), ai.size(), kept);
            for (int k = 0; k < bi.size(); k++) {
                for (String f : List.of("class_id", "name", "box", "det_score", "mask_iou", "candidate", "rle")) {
                    assertEquals((Object) bi.get(k).getAs(f), ai.get(k).getAs(f), kept + " " + f);
                }
                assertTrue(ai.get(k).isNullAt(ai.get(k).fieldIndex("object_score_logit")), kept);
            }
        }
    }

    static String uriOf(Map<String, Row> rows, String name) {
        return rows.keySet().stream().filter(u -> u.endsWith("/" + name + ".jpg")).findFirst().orElseThrow(
                () -> new AssertionError(name + " missing from " + rows.keySet()));
    }

    @Test
    void aRunKilledMidwayLeavesLatestOnThePreviousRun() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < 2; i++) {
            writeScene(images, "a" + i, i);
        }
        Path out = tmp.resolve("out");
        run(images, out, "good", false);
        for (int i = 2; i < 4; i++) {
            writeScene(images, "a" + i, i);
        }
        // Killed as soon as its first label task has finished: 4 images, one per task on 2 slots, so the rest
        // of the stage is still to do.
        assertThrows(Exception.class, () -> killedWhenATaskEnds(out, "killed", images));
        assertEquals("good", Files.readString(out.resolve("_LATEST")).strip());
        assertFalse(Files.exists(out.resolve("runs/killed/_MANIFEST.json")));
        // The next run still works, carries over from the last published run and becomes _LATEST.
        LabelJob.Summary next = run(images, out, "after", true);
        assertEquals(4, next.total());
        assertEquals(2, next.carriedOver());
        assertEquals("good", next.previousRun());
        assertEquals("after", Files.readString(out.resolve("_LATEST")).strip());
    }

    /** Labels every image as run {@code runId}, cancelling every Spark job when its first task ends. */
    static void killedWhenATaskEnds(Path out, String runId, Path images) throws Exception {
        SparkSession spark = TestSpark.session();
        AtomicBoolean killed = new AtomicBoolean();
        SparkListener killer = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (killed.compareAndSet(false, true)) {
                    spark.sparkContext().cancelAllJobs();
                }
            }
        };
        spark.sparkContext().addSparkListener(killer);
        try {
            run(images, out, runId, false);
        } finally {
            spark.sparkContext().removeSparkListener(killer);
            assertTrue(killed.get(), runId + " was not killed");
        }
    }

    /**
     * A label run in a JVM of its own (the CLI, {@code local[1]}) killed with SIGKILL the moment its table is
     * complete ({@code labels/_SUCCESS}), before its inputs, manifest and publish: the driver dies holding the
     * lease, which nobody releases.
     */
    @Test
    void aRunKilledBetweenWritingAndPublishingLeavesLatestAndItsLeaseExpires() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < 2; i++) {
            writeScene(images, "a" + i, i);
        }
        Path out = tmp.resolve("out");
        run(images, out, "good", false);
        for (int i = 2; i < 4; i++) {
            writeScene(images, "a" + i, i);
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-Dai.djl")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "label",
                "--images", images.toString(), "--models", TestSpark.fixtureModels().toString(), "--output",
                out.toString(), "--layout", "folder", "--classes", classesFile(out).toString(), "--run-id", "killed",
                "--incremental", "--master", "local[1]", "--conf", "pseudolabel.runs.lease-timeout=4s", "--conf",
                "pseudolabel.runs.lease-heartbeat=1s"));
        Path log = tmp.resolve("killed.log");
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path success = out.resolve("runs/killed/labels/_SUCCESS");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try {
            while (!Files.exists(success)) {
                if (!child.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("the run ended or hung before writing its labels:\n"
                            + Files.readString(log));
                }
                Thread.sleep(1);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(1, TimeUnit.MINUTES);
        }
        assertEquals("good", Files.readString(out.resolve("_LATEST")).strip(), Files.readString(log));
        assertFalse(Files.exists(out.resolve("runs/good/_NEXT")), "nothing was published after good");

        // Its lease is still there: the next run is refused until it expires, then takes it over.
        var busy = assertThrows(RunNotPublishedException.class,
                () -> run(images, out, "after", true));
        assertTrue(busy.getMessage().contains("in use by run killed"), busy.getMessage());
        Path lease = out.resolve("_lease/" + String.format("%020d.json", 2));
        var dead = JsonParser.parseString(Files.readString(lease)).getAsJsonObject();
        long expires = dead.get("heartbeatAtMillis").getAsLong() + dead.get("timeoutMillis").getAsLong();
        while (System.currentTimeMillis() <= expires + 50) {
            Thread.sleep(50);
        }
        LabelJob.Summary next = run(images, out, "after", true);
        assertEquals(4, next.total());
        assertEquals(2, next.carriedOver(), "carried over from the last published run");
        assertEquals("good", next.previousRun());
        assertEquals("after", Files.readString(out.resolve("_LATEST")).strip());
    }
}
