package io.pseudolabel.job;

import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A folder with every kind of bad input: the good images are labelled, each bad one is reported by name. */
class BadInputFolderTest {
    @TempDir
    Path tmp;

    @Test
    void labelsTheGoodOnesAndReportsEachBadOneByName() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mixed"));
        SceneGenerator scenes = new SceneGenerator(FixtureWorld.load(), 3L);
        byte[] good = VocSceneWriter.jpeg(scenes.scene(0).image(), 0.92f);
        Files.write(dir.resolve("good.jpg"), good);
        Files.write(dir.resolve("zero.jpg"), new byte[0]);
        Files.writeString(dir.resolve("text.jpg"), "this is not an image\n");
        Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(good, good.length / 2));
        byte[] corrupt = good.clone();
        Arrays.fill(corrupt, 2, 40, (byte) 0x5a);
        Files.write(dir.resolve("corrupt.jpg"), corrupt);
        Files.write(dir.resolve("huge.png"), hugePngHeader(100_000, 100_000));
        Files.write(dir.resolve("gray.png"), png(BufferedImage.TYPE_BYTE_GRAY));
        Files.write(dir.resolve("deep.png"), png(BufferedImage.TYPE_USHORT_GRAY));

        Files.write(tmp.resolve("classes.txt"), FixtureWorld.load().classNames());
        var config = TestSpark.config(Map.of("pseudolabel.job.layout", "folder", "pseudolabel.job.classes",
                tmp.resolve("classes.txt").toString(), "pseudolabel.image.max-pixels", "50000000",
                // five of eight images are bad on purpose: publish the run anyway (the failure gate is 5%)
                "pseudolabel.job.max-failed-fraction", "1"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        LabelJob.Summary s = LabelJob.run(TestSpark.session(), config,
                new LabelJob.Options(dir.toString(), tmp.resolve("out").toString(), "mixed", false),
                new PrintStream(log, true, StandardCharsets.UTF_8));

        Map<String, Row> rows = new HashMap<>();
        for (Row r : TestSpark.session().read().parquet(s.labelsDir()).collectAsList()) {
            rows.put(r.getAs("image_id"), r);
        }
        assertEquals(8, rows.size());
        for (String ok : new String[] {"good", "gray", "deep"}) {
            assertEquals("OK", rows.get(ok).getAs("status"), ok + ": " + rows.get(ok).getAs("error"));
        }
        for (String bad : new String[] {"zero", "text", "truncated", "corrupt", "huge"}) {
            Row r = rows.get(bad);
            assertEquals("BAD_IMAGE", r.getAs("status"), bad);
            String error = r.getAs("error");
            assertTrue(error.contains(bad + "."), bad + " error should name the file: " + error);
        }
        assertEquals(Map.of("BAD_IMAGE", 5L, "OK", 3L), s.counts());
        // The errors the run reports, tallied as the rows were written, are the table's first five by uri.
        List<String> tableErrors = rows.values().stream().filter(r -> !"OK".equals(r.getAs("status")))
                .sorted(Comparator.comparing(r -> r.<String>getAs("uri"))).limit(5)
                .map(r -> r.<String>getAs("error")).toList();
        assertEquals(tableErrors, s.firstErrors());
    }

    /**
     * The whole bad-input corpus in one folder beside good images, labelled through the CLI: extreme shapes
     * (2x40000, 40000x2, a 1x1 image), a PNG whose header claims 65535x65535, two images with one id, a
     * zero-byte file in a nested folder, names that are not safe ids. The run exits 0, every good image is
     * labelled and every bad one has a row naming it and saying why.
     */
    @Test
    void theBadInputCorpusBesideGoodImagesExitsZeroAndReportsEachByName() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("corpus"));
        SceneGenerator scenes = new SceneGenerator(FixtureWorld.load(), 17L);
        Files.write(dir.resolve("good1.jpg"), VocSceneWriter.jpeg(scenes.scene(0).image(), 0.92f));
        Files.write(Files.createDirectories(dir.resolve("more")).resolve("good2.jpg"),
                VocSceneWriter.jpeg(scenes.scene(1).image(), 0.92f));
        Files.write(dir.resolve("tall.png"), blank(2, 40_000));
        Files.write(dir.resolve("wide.png"), blank(40_000, 2));
        Files.write(dir.resolve("dot.png"), blank(1, 1));
        Files.write(dir.resolve("claims-65535.png"), claimedPng(65_535, 65_535));
        Files.write(dir.resolve("dup.jpg"), VocSceneWriter.jpeg(scenes.scene(2).image(), 0.92f));
        Files.write(dir.resolve("dup.png"), blank(64, 48));
        Files.write(Files.createDirectories(dir.resolve("nested/deeper")).resolve("empty.jpg"), new byte[0]);
        Files.write(dir.resolve("back\\slash.jpg"), VocSceneWriter.jpeg(scenes.scene(3).image(), 0.92f));
        Files.write(dir.resolve("bell\u0007.jpg"), VocSceneWriter.jpeg(scenes.scene(4).image(), 0.92f));
        Files.write(tmp.resolve("classes.txt"), FixtureWorld.load().classNames());
        Path out = tmp.resolve("corpus-out");

        MainTest.Run r = MainTest.run("label", "--images", dir.toString(), "--layout", "folder", "--models",
                TestSpark.fixtureModels().toString(), "--classes", tmp.resolve("classes.txt").toString(), "--output",
                out.toString(), "--run-id", "corpus", "--master", "local[2]",
                // 8 of the 11 images are bad on purpose: the failure gate (NightlyRunTest) would keep the run
                "--conf", "pseudolabel.job.max-failed-fraction=1");
        assertEquals(0, r.code(), r.err());
        MainTest.assertContains(r.out(), "run corpus: 11 images (11 labelled, 0 carried over)",
                "by status {BAD_ID=4, BAD_IMAGE=4, OK=3}");

        Map<String, Row> rows = new HashMap<>();
        for (Row row : TestSpark.session().read().parquet(out.resolve("runs/corpus/labels").toString())
                .collectAsList()) {
            rows.put(row.<String>getAs("uri").substring(row.<String>getAs("uri").lastIndexOf('/') + 1), row);
        }
        assertEquals(11, rows.size(), rows.keySet().toString());
        for (String ok : new String[] {"good1.jpg", "good2.jpg", "dot.png"}) {
            assertEquals("OK", rows.get(ok).getAs("status"), ok + ": " + rows.get(ok).getAs("error"));
        }
        assertTrue(rows.get("good1.jpg").getList(rows.get("good1.jpg").fieldIndex("instances")).size() > 0);
        assertTrue(rows.get("good2.jpg").getList(rows.get("good2.jpg").fieldIndex("instances")).size() > 0);
        Map<String, String[]> bad = new LinkedHashMap<>();
        bad.put("tall.png", new String[] {"BAD_IMAGE", "image is 2x40000: its height 40000 is more than the limit of "
                + "30000 (pseudolabel.image.max-side)"});
        bad.put("wide.png", new String[] {"BAD_IMAGE", "image is 40000x2: its width 40000 is more than the limit of "
                + "30000 (pseudolabel.image.max-side)"});
        bad.put("claims-65535.png", new String[] {"BAD_IMAGE", "image is 65535x65535 = 4294836225 pixels, more than"
                + " the limit of 100000000 (pseudolabel.image.max-pixels)"});
        bad.put("empty.jpg", new String[] {"BAD_IMAGE", "nested/deeper/empty.jpg: empty file (0 bytes)"});
        bad.put("dup.jpg", new String[] {"BAD_ID", "image id 'dup' is shared by 2 files: "});
        bad.put("dup.png", new String[] {"BAD_ID", "image id 'dup' is shared by 2 files: "});
        bad.put("back\\slash.jpg", new String[] {"BAD_ID", "image id 'back\\slash' (file:" + dir
                + "/back\\slash.jpg) contains a backslash; refused, not read"});
        bad.put("bell\u0007.jpg", new String[] {"BAD_ID", "image id 'bell\\u0007' (file:" + dir
                + "/bell\\u0007.jpg) contains the control character U+0007; refused, not read"});
        for (Map.Entry<String, String[]> e : bad.entrySet()) {
            Row row = rows.get(e.getKey());
            String error = row.getAs("error");
            assertEquals(e.getValue()[0], row.getAs("status"), e.getKey() + ": " + error);
            assertTrue(error.contains(e.getValue()[1]), e.getKey() + ": " + error);
            String file = e.getKey().equals("empty.jpg") ? "nested/deeper/empty.jpg" : e.getKey();
            assertTrue(error.contains(file.replace("\u0007", "\\u0007")), e.getKey() + " named: " + error);
        }
        assertTrue(rows.get("dup.jpg").<String>getAs("error").contains("dup.jpg and file:" + dir + "/dup.png"),
                rows.get("dup.jpg").<String>getAs("error"));
        assertEquals("corpus", Files.readString(out.resolve("_LATEST")).strip());
    }

    /** A complete PNG (IHDR by hand, an empty IDAT, IEND) whose header claims {@code w x h} RGB pixels. */
    static byte[] claimedPng(int w, int h) {
        byte[] header = hugePngHeader(w, h);
        byte[] idat = chunk("IDAT", new byte[] {0x78, (byte) 0x9c, 3, 0, 0, 0, 0, 1});
        byte[] iend = chunk("IEND", new byte[0]);
        return ByteBuffer.allocate(header.length + idat.length + iend.length).put(header).put(idat).put(iend).array();
    }

    static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 4, 4 + data.length);
        return b.putInt((int) crc.getValue()).array();
    }

    static byte[] blank(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }

    static byte[] png(int type) throws Exception {
        BufferedImage img = new BufferedImage(64, 48, type);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                img.getRaster().setSample(x, y, 0, (x * 4 + y) % (type == BufferedImage.TYPE_USHORT_GRAY ? 65536 : 256));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** A PNG signature and IHDR claiming {@code w x h} pixels, followed by nothing. */
    static byte[] hugePngHeader(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13).put(ihdr.array())
                .putInt((int) crc.getValue());
        return png.array();
    }
}
