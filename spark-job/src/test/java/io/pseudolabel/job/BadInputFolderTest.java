package io.pseudolabel.job;

import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

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
                .sorted(java.util.Comparator.comparing(r -> r.<String>getAs("uri"))).limit(5)
                .map(r -> r.<String>getAs("error")).toList();
        assertEquals(tableErrors, s.firstErrors());
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
