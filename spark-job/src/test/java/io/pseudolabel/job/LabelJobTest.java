package io.pseudolabel.job;

import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.eval.EvalResult;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.label.LabelPartition;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.CocoRle;
import io.pseudolabel.masks.InstanceMask;
import io.pseudolabel.masks.OverlapRule;
import io.pseudolabel.masks.PalettePng;
import io.pseudolabel.masks.SemanticComposer;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The label stage in local[2] on a generated VOC set. */
class LabelJobTest {
    @TempDir
    static Path tmp;
    static Path voc;
    static List<String> classes;

    @BeforeAll
    static void scenes() throws Exception {
        voc = tmp.resolve("voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 5L)).write(voc, 12, 0);
        classes = Files.readAllLines(voc.resolve("classes.txt"));
    }

    static LabelJob.Summary label(String supervision, Path output, String runId) throws Exception {
        return label(supervision, output, runId, Map.of());
    }

    static LabelJob.Summary label(String supervision, Path output, String runId, Map<String, String> more)
            throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("pseudolabel.job.layout", "voc",
                "pseudolabel.job.split", "train", "pseudolabel.job.classes", voc.resolve("classes.txt").toString(),
                "pseudolabel.supervision", supervision));
        settings.putAll(more);
        var config = TestSpark.config(settings);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        LabelJob.Summary s = LabelJob.run(TestSpark.session(), config,
                new LabelJob.Options(voc.toString(), output.toString(), runId, false),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        System.out.print(log.toString(StandardCharsets.UTF_8));
        return s;
    }

    /**
     * Every mode and SAM on the 12 scenes: measured 0.9850 with SAM 1 in each supervision mode, 0.9876 with SAM 2.1
     * (onnx-community); the bar was 0.85.
     */
    static final double MIOU = 0.98;

    @Test
    void labelsAVocSetIntoAParquetRunWithEveryColumn() throws Exception {
        Path out = tmp.resolve("out-none");
        LabelJob.Summary s = label("none", out, "r1");
        assertEquals(12, s.total());
        assertEquals(Map.of("OK", 12L), s.counts());
        assertEquals("r1", Files.readString(out.resolve("_LATEST")).strip());
        assertTrue(Files.readString(out.resolve("runs/r1/_MANIFEST.json")).contains("\"modelFingerprint\": \""
                + s.fingerprint() + "\""));

        SparkSession spark = TestSpark.session();
        var df = spark.read().parquet(s.labelsDir());
        assertEquals(List.of(LabelTable.SCHEMA.fieldNames()), List.of(df.schema().fieldNames()));
        List<Row> rows = df.orderBy("image_id").collectAsList();
        assertEquals(12, rows.size());
        for (Row r : rows) {
            String id = r.getAs("image_id");
            assertTrue(((String) r.getAs("uri")).endsWith("JPEGImages/" + id + ".jpg"), r.toString());
            int w = r.getAs("width");
            int h = r.getAs("height");
            byte[] jpeg = Files.readAllBytes(voc.resolve("JPEGImages/" + id + ".jpg"));
            assertEquals(LabelPartition.sha256(jpeg), r.getAs("content_sha256"));
            assertEquals("OK", r.getAs("status"));
            assertNull(r.getAs("error"));
            assertEquals(s.fingerprint(), r.getAs("model_fingerprint"));
            assertEquals("r1", r.getAs("run_id"));
            assertNotNull(r.getAs("created_at"));
            List<Row> labels = r.getList(r.fieldIndex("labels"));
            List<Row> instances = r.getList(r.fieldIndex("instances"));
            // the image labels CLIP gave are exactly the classes of the scene's ground truth
            ClassMap truth = PalettePng.read(Files.readAllBytes(voc.resolve("SegmentationClass/" + id + ".png")));
            TreeSet<String> truthClasses = new TreeSet<>();
            for (byte b : truth.ids()) {
                int c = b & 0xFF;
                if (c != 0 && c != 255) {
                    truthClasses.add(classes.get(c - 1));
                }
            }
            assertEquals(truthClasses, new TreeSet<>(labels.stream().map(l -> l.<String>getAs("name"))
                    .toList()), id + " labels");
            assertTrue(instances.size() >= truthClasses.size(), id + ": an instance per class at least");
            ClassMap semantic = PalettePng.read(r.getAs("semantic_png"));
            assertEquals(w, semantic.width());
            assertEquals(h, semantic.height());
            // The instances' RLE masks, composed with the configured rule, are exactly the semantic map.
            List<InstanceMask> layers = new ArrayList<>();
            for (Row i : instances) {
                Row rle = i.getAs("rle");
                List<Integer> size = rle.getList(0);
                assertEquals(List.of(h, w), size);
                BitMask m = CocoRle.decode(new CocoRle.Rle(size.get(0), size.get(1), rle.getString(1)));
                List<Float> box = i.getList(i.fieldIndex("box"));
                assertEquals(4, box.size());
                // the detection box is in image pixels and holds its mask (the fixture SAM keeps masks within a
                // few pixels of the box)
                var b = m.bounds().orElseThrow();
                assertTrue(box.get(0) >= 0 && box.get(1) >= 0 && box.get(2) <= w && box.get(3) <= h, box.toString());
                assertTrue(b.x1() >= box.get(0) - 3 && b.y1() >= box.get(1) - 3 && b.x2() <= box.get(2) + 3
                        && b.y2() <= box.get(3) + 3, id + ": mask " + b + " outside box " + box);
                int classId = i.getAs("class_id");
                assertEquals(classes.get(classId - 1), i.getAs("name"));
                assertNull(i.getAs("object_score_logit"), "SAM 1 has no object score");
                layers.add(new InstanceMask(classId, i.getAs("det_score"), m));
            }
            assertEquals(semantic, SemanticComposer.compose(w, h, layers, OverlapRule.SMALLER_ON_TOP), id);
        }
        EvalResult eval = EvalJob.labelsAgainstVoc(spark, Runs.resolveLabels(out.toString(),
                spark.sparkContext().hadoopConfiguration()), voc.toString(), classes, TestSpark.limits());
        System.out.println(eval.table());
        assertEquals(12, eval.numImages());
        System.out.printf("supervision none: pseudo-label mIoU %.4f%n", eval.miou());
        assertTrue(eval.miou() >= MIOU, "pseudo-label mIoU " + eval.miou());
    }

    @ParameterizedTest
    @ValueSource(strings = {"image-labels", "boxes"})
    void supervisedModesUseTheVocAnnotations(String mode) throws Exception {
        Path out = tmp.resolve("out-" + mode);
        LabelJob.Summary s = label(mode, out, "r-" + mode);
        assertEquals(Map.of("OK", 12L), s.counts());
        SparkSession spark = TestSpark.session();
        EvalResult eval = EvalJob.labelsAgainstVoc(spark, s.labelsDir(), voc.toString(), classes, TestSpark.limits());
        System.out.printf("supervision %s: pseudo-label mIoU %.4f%n", mode, eval.miou());
        assertTrue(eval.miou() >= MIOU, mode + " mIoU " + eval.miou());
        // Given labels/boxes score 1: nothing came from CLIP.
        for (Row r : spark.read().parquet(s.labelsDir()).select("labels").collectAsList()) {
            for (Row l : r.<Row>getList(0)) {
                assertEquals(1f, l.getFloat(2));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sam2-hf", "sam2-samexporter"})
    void sam21LabelsTheSetAndKeepsItsObjectScorePerInstance(String sam) throws Exception {
        Path out = tmp.resolve("out-" + sam);
        LabelJob.Summary s = label("none", out, "r-" + sam,
                Map.of("pseudolabel.models.sam", TestSpark.fixtureModels().resolve(sam).toString()));
        assertEquals(Map.of("OK", 12L), s.counts());
        SparkSession spark = TestSpark.session();
        EvalResult eval = EvalJob.labelsAgainstVoc(spark, s.labelsDir(), voc.toString(), classes, TestSpark.limits());
        System.out.printf("%s: pseudo-label mIoU %.4f%n", sam, eval.miou());
        assertTrue(eval.miou() >= MIOU, sam + " mIoU " + eval.miou());
        int instances = 0;
        for (Row r : spark.read().parquet(s.labelsDir()).select("instances").collectAsList()) {
            for (Row i : r.<Row>getList(0)) {
                Float score = i.getAs("object_score_logit");
                if (sam.equals("sam2-hf")) {
                    // onnx-community's object_score_logits for the box: > 0 where an object is
                    assertNotNull(score);
                    assertTrue(score > 0, "object score " + score);
                } else {
                    assertNull(score, "samexporter's SAM 2.1 export has no object score");
                }
                instances++;
            }
        }
        assertTrue(instances >= 12, "instances: " + instances);
    }

    @Test
    void preparingInTheTaskThreadOrOnThreadsAheadGivesTheSameRows() throws Exception {
        // Batches of 2 over partitions of 3 images: more than one batch per task on either path.
        Map<String, Row> inline = rowsByUri(label("boxes", tmp.resolve("out-inline"), "inline",
                Map.of("pseudolabel.job.prepare-threads", "0", "pseudolabel.job.batch-size", "2")).labelsDir());
        Map<String, Row> ahead = rowsByUri(label("boxes", tmp.resolve("out-ahead"), "ahead",
                Map.of("pseudolabel.job.prepare-threads", "3", "pseudolabel.job.batch-size", "2")).labelsDir());
        assertEquals(12, inline.size());
        assertEquals(inline.keySet(), ahead.keySet());
        for (String uri : inline.keySet()) {
            for (String column : new String[] {"status", "content_sha256", "width", "height", "labels", "instances",
                    "semantic_png"}) {
                Object a = inline.get(uri).getAs(column);
                Object b = ahead.get(uri).getAs(column);
                if (a instanceof byte[] bytes) {
                    assertArrayEquals(bytes, (byte[]) b, uri + " " + column);
                } else {
                    assertEquals(a, b, uri + " " + column);
                }
            }
        }
    }

    private static Map<String, Row> rowsByUri(String labelsDir) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : TestSpark.session().read().parquet(labelsDir).collectAsList()) {
            out.put(r.getAs("uri"), r);
        }
        return out;
    }
}
