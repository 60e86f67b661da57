package io.pseudolabel.job;

import io.pseudolabel.image.RgbImage;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.ImageIds;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.Layout;
import io.pseudolabel.job.data.OutputPaths;
import io.pseudolabel.job.export.Exports;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.train.PredictJob;
import io.pseudolabel.job.train.SegmenterModel;
import io.pseudolabel.job.train.TrainSettings;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import io.pseudolabel.segmenter.SegmenterTrainer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nothing an input names can make a run read or write outside the folders the user named. */
class PathSafetyTest {
    @TempDir
    Path tmp;

    @Test
    void idsThatAreNotSafeRelativePathsAreRefusedWithTheReason() {
        assertNull(ImageIds.problem("2007_000032"));
        assertNull(ImageIds.problem("train/cats/001"));
        assertNull(ImageIds.problem("..hidden..name"));
        assertEquals("contains a '..' segment", ImageIds.problem("../../outside/evil"));
        assertEquals("contains a '..' segment", ImageIds.problem("a/../../b"));
        assertEquals("contains a '.' segment", ImageIds.problem("./a"));
        assertEquals("is an absolute path", ImageIds.problem("/etc/passwd"));
        assertEquals("has an empty path segment", ImageIds.problem("a//b"));
        assertEquals("has an empty path segment", ImageIds.problem("a/"));
        assertEquals("contains a backslash", ImageIds.problem("..\\..\\x"));
        assertEquals("contains the control character U+000A", ImageIds.problem("a\nb"));
        assertEquals("contains the control character U+0000", ImageIds.problem("a\0b"));
        assertEquals("is empty", ImageIds.problem(""));
    }

    @Test
    void everyWriteNamedByDataStaysUnderItsRoot() {
        Path root = tmp.resolve("out");
        assertEquals(root.resolve("a/b.png").toUri().toString(), OutputPaths.under(root.toString(), "a/b.png"));
        for (String bad : List.of("../x.png", "a/../../x.png", "/abs.png", "a\\..\\..\\x.png", "a//b.png")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OutputPaths.under(root.toString(), bad), bad);
            assertTrue(e.getMessage().startsWith("refusing to write '"), e.getMessage());
        }
    }

    /**
     * A VOC split line {@code ../../outside/evil}: the image beside the dataset is never read, its row says why,
     * and {@code export voc} writes nothing outside its folder.
     */
    @Test
    void aVocIdClimbingOutOfTheDatasetIsARowAndNothingIsWrittenOutside() throws Exception {
        Path voc = tmp.resolve("data/voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 5L)).write(voc, 2, 0);
        Path split = voc.resolve("ImageSets/Segmentation/train.txt");
        List<String> ids = Files.readAllLines(split);
        Files.writeString(split, String.join("\n", ids) + "\n../../outside/evil\n");
        // the file that line points at exists (as an attacker would arrange): it must not be read
        Path evil = Files.createDirectories(tmp.resolve("data/outside")).resolve("evil.jpg");
        Files.copy(voc.resolve("JPEGImages/" + ids.get(0) + ".jpg"), evil);
        Path evilXml = Files.createDirectories(tmp.resolve("data/outside")).resolve("evil.xml");
        Files.writeString(evilXml, "<annotation/>");

        List<ImageRef> listed = DatasetLister.list(Layout.VOC, voc.toString(), "train", null, true, false,
                TestSpark.session().sparkContext().hadoopConfiguration());
        ImageRef bad = listed.get(2);
        assertEquals("../../outside/evil", bad.imageId());
        assertEquals("image id '../../outside/evil' (" + split.toUri() + " line 3) contains a '..' segment; "
                + "refused, not read", bad.refused());
        assertEquals(-1, bad.size(), "not even a status of the file outside");

        // one of the three images is refused on purpose: above the failure gate's default, so the gate is opened
        var config = TestSpark.config(Map.of("pseudolabel.job.layout", "voc", "pseudolabel.job.classes",
                voc.resolve("classes.txt").toString(), "pseudolabel.job.max-failed-fraction", "1"));
        LabelJob.Summary s = LabelJob.run(TestSpark.session(), config, new LabelJob.Options(voc.toString(),
                tmp.resolve("labels").toString(), "r1", false), quiet());
        assertEquals(Map.of("OK", 2L, "BAD_ID", 1L), s.counts());
        Row row = TestSpark.session().read().parquet(s.labelsDir()).filter("status = 'BAD_ID'").first();
        assertEquals(bad.refused(), row.getAs("error"));

        Path pngs = tmp.resolve("data/export/pngs");
        assertEquals(2, Exports.voc(TestSpark.session(), s.labelsDir(), pngs.toString(), false, 60_000, quiet()));
        assertFalse(Files.exists(tmp.resolve("data/export/outside")));
        assertFalse(Files.exists(tmp.resolve("data/outside/evil.png")));
        assertEquals(setOf(ids.get(0) + ".png", ids.get(1) + ".png"), names(pngs.resolve("SegmentationClass")));
    }

    /** Two images with one id ({@code a.jpg}, {@code a.png}): both rows refused, naming both files. */
    @Test
    void twoImagesWithOneIdAreBothRefusedNamingBothFiles() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("folder"));
        SceneGenerator scenes = new SceneGenerator(FixtureWorld.load(), 3L);
        Files.write(dir.resolve("a.jpg"), VocSceneWriter.jpeg(scenes.scene(0).image(), 0.9f));
        ImageIO.write(toBuffered(scenes.scene(1).image()), "png", dir.resolve("a.png").toFile());
        Files.write(dir.resolve("b.jpg"), VocSceneWriter.jpeg(scenes.scene(2).image(), 0.9f));

        List<ImageRef> listed = DatasetLister.list(Layout.FOLDER, dir.toString(), null, null, false, false,
                TestSpark.session().sparkContext().hadoopConfiguration());
        String expected = "image id 'a' is shared by 2 files: file:" + dir.resolve("a.jpg") + " and file:"
                + dir.resolve("a.png") + "; refused, rename one (ids name the output files)";
        assertEquals(expected, listed.get(0).refused());
        assertEquals(expected, listed.get(1).refused());
        assertNull(listed.get(2).refused());
    }

    /** COCO file names are ids too: one that climbs out of the image folder is refused without a status. */
    @Test
    void aCocoFileNameClimbingOutIsRefused() throws Exception {
        Path json = tmp.resolve("coco/instances.json");
        Files.createDirectories(json.getParent());
        Files.writeString(json, """
                {"images": [{"id": 1, "file_name": "ok.jpg", "width": 4, "height": 4},
                            {"id": 2, "file_name": "../../etc/x.jpg", "width": 4, "height": 4}],
                 "annotations": [], "categories": [{"id": 1, "name": "cat"}]}""");
        List<ImageRef> listed = DatasetLister.list(Layout.COCO, tmp.resolve("coco/images").toString(), null,
                json.toString(), false, false, TestSpark.session().sparkContext().hadoopConfiguration());
        assertEquals(2, listed.size());
        ImageRef bad = listed.stream().filter(r -> r.refused() != null).findFirst().orElseThrow();
        assertEquals("image id '../../etc/x' (" + json + " image 2) contains a '..' segment; refused, not read",
                bad.refused());
        assertNull(listed.stream().filter(r -> r.imageId().equals("ok")).findFirst().orElseThrow().refused());
    }

    /** A table written elsewhere whose ids climb out: export voc refuses it and leaves nothing behind. */
    @Test
    void exportVocRefusesAnIdThatWouldLeaveItsFolder() throws Exception {
        Path labels = table(tmp.resolve("foreign"), Map.of("ok", "OK", "../../escaped", "OK"));
        Path out = tmp.resolve("exp/pngs");
        SparkSession spark = TestSpark.session();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Exports.voc(spark,
                labels.toString(), out.toString(), false, 60_000, quiet()));
        assertEquals("export voc: " + labels + " has OK rows whose image_id is not a safe relative path, so their "
                + "PNGs would be written outside the output folder: ['../../escaped'] ('../../escaped' contains a '..' "
                + "segment)", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("escaped.png")));
        assertFalse(Files.exists(tmp.resolve("exp")), "refused before anything is written, temporary or not");
    }

    /** predict --png lists with the same rule: a refused id gets a BAD_ID row and no PNG anywhere. */
    @Test
    void predictWritesNoPngForARefusedId() throws Exception {
        Path voc = tmp.resolve("pv/voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 9L)).write(voc, 0, 1);
        Path split = voc.resolve("ImageSets/Segmentation/val.txt");
        String good = Files.readAllLines(split).get(0);
        Files.writeString(split, good + "\n../outside\n");
        Files.copy(voc.resolve("JPEGImages/" + good + ".jpg"), tmp.resolve("pv/outside.jpg"));
        List<String> classes = Files.readAllLines(voc.resolve("classes.txt"));
        TrainSettings ts = TrainSettings.from(TestSpark.config(Map.of()), classes.size() + 1);
        SegmenterModel model;
        try (SegmenterTrainer net = new SegmenterTrainer(ts.segmenter())) {
            model = new SegmenterModel(ts.segmenter(), classes, net.snapshot());
        }
        var hadoop = TestSpark.session().sparkContext().hadoopConfiguration();
        List<ImageRef> images = DatasetLister.list(Layout.VOC, voc.toString(), "val", null, false, false, hadoop);
        Path out = tmp.resolve("pv/pred");
        String table = PredictJob.run(TestSpark.session(), model, images, out.toString(), true, TestSpark.limits());
        Map<String, String> status = new HashMap<>();
        for (Row r : TestSpark.session().read().parquet(table).collectAsList()) {
            status.put(r.getString(0), r.getString(4));
        }
        assertEquals(Map.of(good, "OK", "../outside", "BAD_ID"), status);
        assertEquals(setOf(good + ".png"), names(out.resolve("png")));
        assertFalse(Files.exists(tmp.resolve("pv/pred/outside.png")));
        assertFalse(Files.exists(tmp.resolve("pv/outside.png")));
    }

    // ------------------------------------------------------------------ helpers

    /** A label-table-shaped Parquet table with one 2x2 map per id. */
    static Path table(Path dir, Map<String, String> statusById) {
        StructType schema = new StructType().add("image_id", DataTypes.StringType).add("status", DataTypes.StringType)
                .add("semantic_png", DataTypes.BinaryType);
        List<Row> rows = statusById.entrySet().stream().map(e -> RowFactory.create(e.getKey(), e.getValue(),
                PalettePng.write(new ClassMap(2, 2)))).toList();
        TestSpark.session().createDataFrame(rows, schema).coalesce(1).write().parquet(dir.toString());
        return dir;
    }

    static Set<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    static Set<String> setOf(String... items) {
        return new TreeSet<>(List.of(items));
    }


    static BufferedImage toBuffered(RgbImage img) {
        BufferedImage b = new BufferedImage(img.width(), img.height(),
                BufferedImage.TYPE_INT_RGB);
        byte[] rgb = img.rgb();
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int i = 3 * (y * img.width() + x);
                b.setRGB(x, y, (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff));
            }
        }
        return b;
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }
}
