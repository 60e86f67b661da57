package io.pseudolabel.job;

import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code --incremental} carries over, with real runs: an image whose given annotations changed is
 * relabelled, a model file changed in its middle (same size) relabels everything, and a change of batch sizes
 * or threads relabels nothing.
 */
class CarryOverRunTest {
    @TempDir
    Path tmp;

    LabelJob.Summary run(Path images, Path out, String runId, Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("pseudolabel.job.classes",
                IncrementalRunTest.classesFile(out).toString()));
        all.putAll(settings);
        return LabelJob.run(TestSpark.session(), TestSpark.config(all),
                new LabelJob.Options(images.toString(), out.toString(), runId, true),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void anImageWhoseGivenBoxesChangedIsRelabelled() throws Exception {
        Path voc = tmp.resolve("voc");
        List<String> ids = new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 17L)).write(voc, 3, 0).train();
        Map<String, String> boxes = Map.of("pseudolabel.job.layout", "voc", "pseudolabel.job.split", "train",
                "pseudolabel.supervision", "boxes");
        Path out = tmp.resolve("out");
        LabelJob.Summary first = run(voc, out, "night1", boxes);
        assertEquals(3, first.labelled());

        // Someone corrects one image's VOC XML: its first box ends 6 pixels further left. The JPEG is untouched.
        String edited = ids.get(1);
        Path xml = voc.resolve("Annotations/" + edited + ".xml");
        String text = Files.readString(xml);
        Matcher xmax = Pattern.compile("<xmax>(\\d+)</xmax>").matcher(text);
        assertTrue(xmax.find());
        int oldX2 = Integer.parseInt(xmax.group(1));
        Matcher xmin = Pattern.compile("<xmin>(\\d+)</xmin>").matcher(text);
        assertTrue(xmin.find());
        float x1 = Integer.parseInt(xmin.group(1)) - 1; // VOC is 1-based inclusive; boxes are pixel edges
        Files.writeString(xml, text.substring(0, xmax.start(1)) + (oldX2 - 6) + text.substring(xmax.end(1)));
        LabelJob.Summary second = run(voc, out, "night2", boxes);

        assertEquals(1, second.labelled(), "only the image whose boxes changed");
        assertEquals(2, second.carriedOver());
        Map<String, Row> before = rowsById(first.labelsDir());
        Map<String, Row> after = rowsById(second.labelsDir());
        assertEquals("night2", after.get(edited).getAs("run_id"));
        assertEquals(List.of((float) oldX2), x2OfBoxesFrom(before.get(edited), x1));
        assertEquals(List.of((float) oldX2 - 6), x2OfBoxesFrom(after.get(edited), x1), "labelled from the corrected box");
        ids.stream().filter(id -> !id.equals(edited)).forEach(id -> assertEquals("night1", after.get(id).getAs("run_id")));
    }

    /** x2 of the instances whose box starts at {@code x1}: the one labelled from the edited box. */
    static List<Float> x2OfBoxesFrom(Row row, float x1) {
        List<Row> instances = row.getList(row.fieldIndex("instances"));
        return instances.stream().map(i -> i.<Float>getList(i.fieldIndex("box")))
                .filter(box -> box.get(0) == x1).map(box -> box.get(2)).toList();
    }

    static Map<String, Row> rowsById(String labelsDir) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : TestSpark.session().read().parquet(labelsDir).collectAsList()) {
            out.put(r.getAs("image_id"), r);
        }
        return out;
    }

    /** A copy of the fixture models whose SAM folder also holds a 3 MiB file, last modified an hour ago. */
    static Path modelsWithALargeFile(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(TestSpark.fixtureModels())) {
            for (Path f : files.toList()) {
                Path rel = TestSpark.fixtureModels().relativize(f);
                if (rel.getNameCount() > 0 && !List.of("clip", "grounding-dino", "sam").contains(rel.getName(0).toString())) {
                    continue;
                }
                Path target = root.resolve(rel.toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        // Real exports are hundreds of MB (SAM 2.1's weights sit in .onnx_data files); the fixtures are KB.
        byte[] weights = new byte[3 << 20];
        new Random(3).nextBytes(weights);
        Path big = root.resolve("sam/onnx/weights.onnx_data");
        Files.write(big, weights);
        Files.setLastModifiedTime(big, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        return root;
    }

    @Test
    void aModelFileChangedInItsMiddleRelabelsEveryImage() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < 2; i++) {
            IncrementalRunTest.writeScene(images, "img" + i, i);
        }
        Path models = modelsWithALargeFile(tmp.resolve("models"));
        Map<String, String> settings = Map.of("pseudolabel.job.layout", "folder", "pseudolabel.models.dir",
                models.toString());
        Path out = tmp.resolve("out");
        LabelJob.Summary first = run(images, out, "night1", settings);

        // One byte in the middle of the large file, its size unchanged: far from its first and last MiB.
        Path big = models.resolve("sam/onnx/weights.onnx_data");
        byte[] b = Files.readAllBytes(big);
        b[b.length / 2] ^= 0x01;
        Files.write(big, b);
        LabelJob.Summary second = run(images, out, "night2", settings);

        assertNotEquals(first.fingerprint(), second.fingerprint());
        assertEquals(2, second.labelled(), "both images relabelled with the changed model");
        assertEquals(0, second.carriedOver());
        rowsById(second.labelsDir()).values().forEach(r -> {
            assertEquals("night2", r.getAs("run_id"));
            assertEquals(second.fingerprint(), r.getAs("model_fingerprint"));
        });
    }

    @Test
    void aBatchSizeOrThreadChangeRelabelsNothing() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < 2; i++) {
            IncrementalRunTest.writeScene(images, "img" + i, i);
        }
        Path out = tmp.resolve("out");
        LabelJob.Summary first = run(images, out, "night1", Map.of("pseudolabel.job.layout", "folder"));
        LabelJob.Summary second = run(images, out, "night2", Map.of("pseudolabel.job.layout", "folder",
                "pseudolabel.clip.text-batch-size", "5",
                "pseudolabel.job.batch-size", "2", "pseudolabel.job.prepare-threads", "0",
                "pseudolabel.models.ort.intra-op-threads", "1", "pseudolabel.models.device", "cpu"));
        assertEquals(first.fingerprint(), second.fingerprint());
        assertEquals(0, second.labelled());
        assertEquals(LabelJob.UNCHANGED, second.outcome());
        assertEquals("night1", Files.readString(out.resolve("_LATEST")).strip());
        assertTrue(Files.readString(out.resolve("runs/night2/_MANIFEST.json")).contains("\"outcome\": \"unchanged\""));
    }
}
