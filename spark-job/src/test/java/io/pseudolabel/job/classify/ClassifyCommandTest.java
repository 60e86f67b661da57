package io.pseudolabel.job.classify;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.job.Main;
import io.pseudolabel.job.TestSpark;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code eval-classify} end to end in local[2] on generated VOC scenes with the fixture CLIP. */
class ClassifyCommandTest {
    @TempDir
    static Path tmp;
    static Path voc;
    static List<String> classes;

    @BeforeAll
    static void scenes() throws Exception {
        voc = tmp.resolve("voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 11L)).write(voc, 2, 12);
        classes = Files.readAllLines(voc.resolve("classes.txt"));
        TestSpark.session();
    }

    record Run(int code, String out, String err) {}

    static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("eval-classify", "--master", "local[2]"));
        all.addAll(List.of(args));
        int code = Main.run(all.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.print(r.out + r.err);
        return r;
    }

    @Test
    void fixtureClipRanksTheValSplitAlmostPerfectly() throws Exception {
        // The val split plus one image that does not decode: counted as an error, not scored.
        List<String> ids = new ArrayList<>(Files.readAllLines(voc.resolve("ImageSets/Segmentation/val.txt")));
        Files.writeString(voc.resolve("JPEGImages/broken.jpg"), "not a jpeg");
        Files.copy(voc.resolve("Annotations/" + ids.get(0) + ".xml"), voc.resolve("Annotations/broken.xml"));
        ids.add("broken");
        Files.write(voc.resolve("ImageSets/Segmentation/val-and-broken.txt"), ids);
        Path output = tmp.resolve("clip-eval");
        Run r = main("--images", voc.toString(), "--layout", "voc", "--models", TestSpark.fixtureModels().toString(),
                "--classes", voc.resolve("classes.txt").toString(), "--output", output.toString(), "--split",
                "val-and-broken");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.matches("(?s).*\\nerrors\\s+1  first: broken: .*"), r.out);
        assertTrue(r.out.contains("CLIP zero-shot"), r.out);
        assertTrue(r.out.matches("(?s).*\\nmAP\\s+\\d\\.\\d{4}.*"), r.out);
        JsonObject o = JsonParser.parseString(Files.readString(output.resolve("classify-eval.json"))).getAsJsonObject();
        assertEquals(12, o.get("num_images").getAsInt());
        assertEquals(1, o.get("error_count").getAsInt());
        assertTrue(o.getAsJsonArray("errors").get(0).getAsString().contains("broken.jpg"), o.toString());
        // measured 1.0: the fixture CLIP names every scene's classes above every absent one (the bar was 0.95)
        assertEquals(1.0, o.get("map").getAsDouble(), 1e-9, "mAP " + o.get("map"));
        assertEquals(classes.size(), o.getAsJsonObject("per_class_ap").size());
        // Every scene holds an object, so some class has positives; each positive count is that of the XML objects.
        int positives = o.getAsJsonObject("positives").entrySet().stream().mapToInt(e -> e.getValue().getAsInt())
                .sum();
        assertEquals(expectedImageLabels(), positives);
        String md = Files.readString(output.resolve("classify-eval.md"));
        assertTrue(md.contains("| " + classes.get(0) + " |"), md);
    }

    /** Distinct object names per val image, counted straight from the XML text. */
    static int expectedImageLabels() throws Exception {
        int n = 0;
        for (String id : Files.readAllLines(voc.resolve("ImageSets/Segmentation/val.txt"))) {
            String xml = Files.readString(voc.resolve("Annotations/" + id + ".xml"));
            for (String c : classes) {
                n += xml.contains("<name>" + c + "</name>") ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void aClassListThatMissesAGroundTruthClassNamesTheAnnotationFile() throws Exception {
        Path partial = tmp.resolve("partial-classes.txt");
        Files.write(partial, classes.subList(1, classes.size()));
        Run r = main("--images", voc.toString(), "--layout", "voc", "--models", TestSpark.fixtureModels().toString(),
                "--classes", partial.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.matches("(?s)error: .*/Annotations/[^ ]+\\.xml: ground-truth class '" + classes.get(0)
                + "' is not in the class list.*"), r.err);
    }

    @Test
    void missingAnnotationOrConflictingOptionsAreRefused() throws Exception {
        Path broken = tmp.resolve("broken");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 3L)).write(broken, 0, 2);
        String id = Files.readAllLines(broken.resolve("ImageSets/Segmentation/val.txt")).get(1);
        Files.delete(broken.resolve("Annotations/" + id + ".xml"));
        Run r = main("--images", broken.toString(), "--layout", "voc", "--models",
                TestSpark.fixtureModels().toString(), "--classes", broken.resolve("classes.txt").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("VOC annotation not found") && r.err.contains("Annotations/" + id + ".xml"), r.err);

        Run both = main("--images", voc.toString(), "--layout", "voc", "--models", "m", "--labels", "l");
        assertEquals(2, both.code);
        assertTrue(both.err.contains("not both"), both.err);
        Run folder = main("--images", voc.toString(), "--layout", "folder", "--labels", "l");
        assertEquals(1, folder.code);
        assertTrue(folder.err.contains("--layout voc or coco"), folder.err);
    }

    @Test
    void aClipHeadFromTheConfigurationIsUsedAsLabelUsesIt() throws Exception {
        Path missing = tmp.resolve("no-such-head.bin");
        Run r = main("--images", voc.toString(), "--layout", "voc", "--models", TestSpark.fixtureModels().toString(),
                "--classes", voc.resolve("classes.txt").toString(), "--conf", "pseudolabel.job.clip-head=" + missing);
        assertEquals(1, r.code, r.out);
        assertTrue(r.err.contains("CLIP head not found: " + missing), r.err);
    }

    @Test
    void scoresALabelTableWithAWarningThatTheRankingIsTruncated() throws Exception {
        // Two val images as their own split: the full label stage (DINO, SAM) costs seconds an image.
        List<String> few = Files.readAllLines(voc.resolve("ImageSets/Segmentation/val.txt")).subList(0, 2);
        Files.write(voc.resolve("ImageSets/Segmentation/few.txt"), few);
        var config = TestSpark.config(Map.of("pseudolabel.job.layout", "voc", "pseudolabel.job.split", "few",
                "pseudolabel.job.classes", voc.resolve("classes.txt").toString()));
        Path labels = tmp.resolve("labels");
        LabelJob.run(TestSpark.session(), config, new LabelJob.Options(voc.toString(), labels.toString(), "r1", false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Path output = tmp.resolve("labels-eval");
        Run r = main("--images", voc.toString(), "--layout", "voc", "--split", "few", "--labels", labels.toString(),
                "--classes", voc.resolve("classes.txt").toString(), "--output", output.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("warning: --labels scores only the labels each image kept"), r.out);
        JsonObject o = JsonParser.parseString(Files.readString(output.resolve("classify-eval.json"))).getAsJsonObject();
        assertEquals(2, o.get("num_images").getAsInt());
        // Classes absent from both images have no positive: listed, left out of the mean.
        assertTrue(o.getAsJsonArray("classes_excluded").size() > 0, o.toString());
        assertTrue(o.get("scores").getAsString().startsWith("label table "), o.toString());
        assertTrue(o.get("map").getAsDouble() >= 0.9, "mAP " + o.get("map"));
    }
}
