package io.pseudolabel.job;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.job.export.Exports;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.CocoRle;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.SceneObject;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A COCO-layout dataset labelled from its JSON boxes, then exported as VOC PNGs and COCO RLE JSON. */
class CocoLayoutAndExportTest {
    @TempDir
    Path tmp;

    @Test
    void labelsACocoLayoutFromItsJsonAndExportsBothFormats() throws Exception {
        FixtureWorld world = FixtureWorld.load();
        SceneGenerator scenes = new SceneGenerator(world, 31L);
        Path images = Files.createDirectories(tmp.resolve("train2014"));
        // Sparse category ids as in COCO: class k gets id 2k+1.
        JsonObject coco = new JsonObject();
        JsonArray imgs = new JsonArray();
        JsonArray anns = new JsonArray();
        JsonArray cats = new JsonArray();
        for (int k = 1; k <= world.classNames().size(); k++) {
            JsonObject c = new JsonObject();
            c.addProperty("id", 2 * k + 1);
            c.addProperty("name", world.classNames().get(k - 1));
            cats.add(c);
        }
        int annId = 1;
        for (int i = 0; i < 4; i++) {
            Scene s = scenes.scene(i);
            String file = "COCO_train2014_" + String.format("%012d", 100 + i) + ".jpg";
            Files.write(images.resolve(file), VocSceneWriter.jpeg(s.image(), VocSceneWriter.JPEG_QUALITY));
            JsonObject img = new JsonObject();
            img.addProperty("id", 100 + i);
            img.addProperty("file_name", file);
            img.addProperty("width", s.image().width());
            img.addProperty("height", s.image().height());
            imgs.add(img);
            for (SceneObject o : s.objects()) {
                JsonObject a = new JsonObject();
                a.addProperty("id", annId++);
                a.addProperty("image_id", 100 + i);
                a.addProperty("category_id", 2 * o.classId() + 1);
                JsonArray bbox = new JsonArray();
                bbox.add(o.box().x1());
                bbox.add(o.box().y1());
                bbox.add(o.box().width());
                bbox.add(o.box().height());
                a.add("bbox", bbox);
                a.add("segmentation", new JsonArray());
                a.addProperty("iscrowd", 0);
                anns.add(a);
            }
        }
        coco.add("images", imgs);
        coco.add("annotations", anns);
        coco.add("categories", cats);
        Path json = tmp.resolve("instances_train2014.json");
        Files.writeString(json, coco.toString());
        Path classes = tmp.resolve("classes.txt");
        Files.write(classes, world.classNames());

        var config = TestSpark.config(Map.of("pseudolabel.job.layout", "coco", "pseudolabel.job.annotations",
                json.toString(), "pseudolabel.job.classes", classes.toString(), "pseudolabel.supervision", "boxes"));
        LabelJob.Summary s = LabelJob.run(TestSpark.session(), config,
                new LabelJob.Options(images.toString(), tmp.resolve("out").toString(), "coco1", false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(Map.of("OK", 4L), s.counts());

        Map<String, Row> rows = new HashMap<>();
        for (Row r : TestSpark.session().read().parquet(s.labelsDir()).collectAsList()) {
            rows.put(r.getAs("image_id"), r);
        }
        assertEquals(4, rows.size());
        assertTrue(rows.containsKey("COCO_train2014_000000000100"));

        Path pngs = tmp.resolve("voc-export");
        assertEquals(4, Exports.voc(TestSpark.session(), s.labelsDir(), pngs.toString(), "train2014", false, 60_000,
                System.out));
        for (Row r : rows.values()) {
            assertArrayEquals((byte[]) r.getAs("semantic_png"),
                    Files.readAllBytes(pngs.resolve("SegmentationClass").resolve(r.getAs("image_id") + ".png")));
        }
        // mmsegmentation's VOC layout: the split's ids, sorted, one a line
        assertEquals(rows.keySet().stream().sorted().toList(),
                Files.readAllLines(pngs.resolve("ImageSets/Segmentation/train2014.txt")));

        // Through the command: the run's manifest names its COCO annotations, so the export keeps their ids.
        Path roundTrip = tmp.resolve("round-trip.json");
        MainTest.Run exportCommand = MainTest.run("export", "coco", "--labels", tmp.resolve("out").toString(),
                "--output", roundTrip.toString(), "--classes", classes.toString());
        assertEquals(0, exportCommand.code(), exportCommand.err());
        MainTest.assertContains(exportCommand.out(), "image and category ids of " + json);
        assertRoundTrips(JsonParser.parseString(Files.readString(roundTrip)).getAsJsonObject(), coco, rows);

        Path out = tmp.resolve("export.json");
        long n = Exports.coco(TestSpark.session(), s.labelsDir(), out.toString(), world.classNames());
        JsonObject exported = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
        assertEquals(4, exported.getAsJsonArray("images").size());
        assertEquals(n, exported.getAsJsonArray("annotations").size());
        assertEquals(world.classNames().size(), exported.getAsJsonArray("categories").size());
        Map<Long, String> fileOf = new HashMap<>();
        for (JsonElement e : exported.getAsJsonArray("images")) {
            fileOf.put(e.getAsJsonObject().get("id").getAsLong(), e.getAsJsonObject().get("file_name").getAsString());
        }
        int total = rows.values().stream().mapToInt(r -> r.getList(r.fieldIndex("instances")).size()).sum();
        assertEquals(total, n);
        Map<Integer, String> categoryName = new HashMap<>();
        for (JsonElement e : exported.getAsJsonArray("categories")) {
            categoryName.put(e.getAsJsonObject().get("id").getAsInt(), e.getAsJsonObject().get("name").getAsString());
        }
        assertEquals(world.classNames(), IntStream.rangeClosed(1, world.classNames().size())
                .mapToObj(categoryName::get).toList(), "categories 1..K in class order");
        // object by object against the generated scenes: each annotation is one scene object (class, mask, box) and
        // carries its row's instance (det_score); every object is exported once
        Map<String, Integer> seen = new HashMap<>();
        float worstBoxError = 0;
        Set<String> matched = new HashSet<>();
        for (JsonElement e : exported.getAsJsonArray("annotations")) {
            JsonObject a = e.getAsJsonObject();
            String file = fileOf.get(a.get("image_id").getAsLong());
            assertTrue(file.startsWith("COCO_train2014_"), file);
            String imageId = file.substring(0, file.length() - ".jpg".length());
            Scene scene = scenes.scene(Integer.parseInt(imageId.substring(imageId.length() - 3)) - 100);
            int k = seen.merge(imageId, 1, Integer::sum) - 1;
            Row inst = rows.get(imageId).<Row>getList(rows.get(imageId).fieldIndex("instances")).get(k);

            JsonObject seg = a.getAsJsonObject("segmentation");
            assertEquals(scene.image().height(), seg.getAsJsonArray("size").get(0).getAsInt());
            assertEquals(scene.image().width(), seg.getAsJsonArray("size").get(1).getAsInt());
            BitMask m = CocoRle.decode(new CocoRle.Rle(seg.getAsJsonArray("size").get(0).getAsInt(),
                    seg.getAsJsonArray("size").get(1).getAsInt(), seg.get("counts").getAsString()));
            assertEquals(m.area(), a.get("area").getAsLong());
            SceneObject best = null;
            double bestIou = -1;
            for (SceneObject o : scene.objects()) {
                double iou = (double) m.and(o.visible()).area() / m.or(o.visible()).area();
                if (iou > bestIou) {
                    bestIou = iou;
                    best = o;
                }
            }
            String where = imageId + " annotation " + k;
            assertTrue(bestIou >= 0.95, where + ": mask IoU " + bestIou + " with " + best.name());
            assertTrue(matched.add(imageId + "/" + scene.objects().indexOf(best)), where + " exported twice");
            assertEquals(best.name(), categoryName.get(a.get("category_id").getAsInt()), where);
            assertEquals((int) inst.getAs("class_id"), a.get("category_id").getAsInt(), where);
            // bbox: exactly the exported mask's bounds, and within 2 px of the scene object's (the mask's edge is
            // JPEG-blurred and 1.25 px per low-res cell: measured at most 2 px off)
            var own = m.bounds().orElseThrow();
            var truth = best.visible().bounds().orElseThrow();
            JsonArray bbox = a.getAsJsonArray("bbox");
            float[] exact = {own.x1(), own.y1(), own.width(), own.height()};
            float[] near = {truth.x1(), truth.y1(), truth.x2(), truth.y2()};
            float[] got = {bbox.get(0).getAsFloat(), bbox.get(1).getAsFloat(),
                bbox.get(0).getAsFloat() + bbox.get(2).getAsFloat(), bbox.get(1).getAsFloat() + bbox.get(3).getAsFloat()};
            for (int j = 0; j < 4; j++) {
                assertEquals(exact[j], bbox.get(j).getAsFloat(), where + " bbox[" + j + "] " + bbox);
                worstBoxError = Math.max(worstBoxError, Math.abs(near[j] - got[j]));
                assertEquals(near[j], got[j], 2f, where + " box edge " + j + ": " + bbox + " vs " + truth);
            }
            assertEquals((float) inst.getAs("det_score"), a.get("score").getAsFloat(), where);
        }
        System.out.printf("COCO export: %d annotations, worst box edge %.1f px from the scene object's%n",
                matched.size(), worstBoxError);
        int objects = 0;
        for (int i = 0; i < 4; i++) {
            objects += scenes.scene(i).objects().size();
        }
        assertEquals(objects, matched.size(), "every scene object exported: " + matched);
    }

    /**
     * What COCOeval needs to score {@code exported} against {@code original}: the images with their ids and
     * file names, the categories with their ids and names, and every annotation on the image and category it
     * was labelled for, its mask the same pixels as the run's RLE.
     */
    static void assertRoundTrips(JsonObject exported, JsonObject original, Map<String, Row> rows) {
        Map<Long, String> fileOf = new HashMap<>();
        for (JsonElement e : original.getAsJsonArray("images")) {
            fileOf.put(e.getAsJsonObject().get("id").getAsLong(), e.getAsJsonObject().get("file_name").getAsString());
        }
        Map<Long, String> exportedFiles = new HashMap<>();
        for (JsonElement e : exported.getAsJsonArray("images")) {
            exportedFiles.put(e.getAsJsonObject().get("id").getAsLong(),
                    e.getAsJsonObject().get("file_name").getAsString());
        }
        assertEquals(fileOf, exportedFiles, "image ids and file names of the original annotations");
        Map<Integer, String> categories = new HashMap<>();
        for (JsonElement e : original.getAsJsonArray("categories")) {
            categories.put(e.getAsJsonObject().get("id").getAsInt(), e.getAsJsonObject().get("name").getAsString());
        }
        Map<Integer, String> exportedCategories = new HashMap<>();
        for (JsonElement e : exported.getAsJsonArray("categories")) {
            exportedCategories.put(e.getAsJsonObject().get("id").getAsInt(),
                    e.getAsJsonObject().get("name").getAsString());
        }
        assertEquals(categories, exportedCategories, "category ids and names of the original annotations");
        // The run's instances, in order, per image; the export lists them in the same order.
        Map<Long, List<Row>> instances = new HashMap<>();
        for (Row r : rows.values()) {
            String stem = r.getAs("image_id");
            long id = fileOf.entrySet().stream().filter(f -> f.getValue().startsWith(stem + ".")).findFirst()
                    .orElseThrow().getKey();
            instances.put(id, r.getList(r.fieldIndex("instances")));
        }
        Map<Long, Integer> seen = new HashMap<>();
        int total = 0;
        for (JsonElement e : exported.getAsJsonArray("annotations")) {
            JsonObject a = e.getAsJsonObject();
            long image = a.get("image_id").getAsLong();
            int k = seen.merge(image, 1, Integer::sum) - 1;
            Row inst = instances.get(image).get(k);
            assertEquals(inst.getAs("name"), categories.get(a.get("category_id").getAsInt()),
                    "category of annotation " + a.get("id"));
            Row rle = inst.getAs("rle");
            List<Integer> size = rle.getList(0);
            BitMask run = CocoRle.decode(new CocoRle.Rle(size.get(0), size.get(1), rle.getString(1)));
            JsonObject seg = a.getAsJsonObject("segmentation");
            BitMask out = CocoRle.decode(new CocoRle.Rle(seg.getAsJsonArray("size").get(0).getAsInt(),
                    seg.getAsJsonArray("size").get(1).getAsInt(), seg.get("counts").getAsString()));
            assertEquals(run, out, "mask of annotation " + a.get("id"));
            total++;
        }
        assertEquals(rows.values().stream().mapToInt(r -> r.getList(r.fieldIndex("instances")).size()).sum(), total);
        assertTrue(total > 0);
    }
}
