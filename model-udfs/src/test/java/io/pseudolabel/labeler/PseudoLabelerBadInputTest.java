package io.pseudolabel.labeler;

import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.geom.Box;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneObject;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad files and bad annotations cost one row each, never the batch, and never shift other images' results. */
class PseudoLabelerBadInputTest {
    static final List<String> CLASSES = SceneImages.WORLD.classNames();

    // ------------------------------------------------------------------ files built in code

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out));
        return out.toByteArray();
    }

    static byte[] jpeg(IIOImage img) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            w.setOutput(out);
            w.write(null, img, null);
        } finally {
            w.dispose();
        }
        return bytes.toByteArray();
    }

    static BufferedImage redBlue(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, x < w / 2 ? 0xDC2828 : 0x2846E1);
            }
        }
        return img;
    }

    static byte[] cmykJpeg() throws IOException {
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 48, 32, 4, null);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 48; x++) {
                r.setPixel(x, y, new int[] {x * 5, y * 8, 100, 50});
            }
        }
        return jpeg(new IIOImage(r, null, null));
    }

    static byte[] gray16Png() throws IOException {
        BufferedImage g = new BufferedImage(40, 30, BufferedImage.TYPE_USHORT_GRAY);
        int[] px = new int[40 * 30];
        Arrays.setAll(px, i -> (i * 53) & 0xFFFF);
        g.getRaster().setPixels(0, 0, 40, 30, px);
        return png(g);
    }

    static byte[] grayPng() throws IOException {
        BufferedImage g = new BufferedImage(36, 20, BufferedImage.TYPE_BYTE_GRAY);
        int[] px = new int[36 * 20];
        Arrays.setAll(px, i -> i % 256);
        g.getRaster().setPixels(0, 0, 36, 20, px);
        return png(g);
    }

    /** A JPEG with an Exif APP1 whose orientation (6) rotates it 90 degrees clockwise: 64x32 becomes 32x64. */
    static byte[] exifRotatedJpeg() throws IOException {
        byte[] j = jpeg(new IIOImage(redBlue(64, 32), null, null));
        ByteBuffer tiff = ByteBuffer.allocate(26); // big-endian TIFF with one IFD entry
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8).putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) 6).putShort((short) 0).putInt(0);
        int len = 2 + 6 + tiff.capacity();
        ByteBuffer seg = ByteBuffer.allocate(2 + len);
        seg.put((byte) 0xFF).put((byte) 0xE1).putShort((short) len).put("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1))
                .put(tiff.array());
        byte[] out = new byte[j.length + seg.capacity()];
        System.arraycopy(j, 0, out, 0, 2);
        System.arraycopy(seg.array(), 0, out, 2, seg.capacity());
        System.arraycopy(j, 2, out, 2 + seg.capacity(), j.length - 2);
        return out;
    }

    static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 4, 4 + data.length);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** A valid PNG header claiming 100000 x 100000 pixels (10^10, over the 10^8 default limit). */
    static byte[] hugePng() {
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
        byte[] ihdr = ByteBuffer.allocate(13).putInt(100_000).putInt(100_000).put(new byte[] {8, 2, 0, 0, 0}).array();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(sig);
        out.writeBytes(chunk("IHDR", ihdr));
        out.writeBytes(chunk("IDAT", new byte[] {0x78, (byte) 0x9c, 3, 0, 0, 0, 0, 1}));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** The scene JPEG with everything from after SOI to the end of the SOF0 frame header zeroed. */
    static byte[] corruptHeader(byte[] jpeg) {
        byte[] j = jpeg.clone();
        for (int i = 2; i + 1 < j.length; i++) {
            if ((j[i] & 0xff) == 0xFF && (j[i + 1] & 0xff) == 0xC0) {
                Arrays.fill(j, 2, i + 10, (byte) 0);
                return j;
            }
        }
        throw new AssertionError("no SOF0");
    }

    static ImageInput input(String name, byte[] bytes) {
        return ImageInput.of(name, "file:/data/" + name, bytes);
    }

    // ------------------------------------------------------------------ tests

    @Test
    void badFilesGetBadImageRowsInInputOrderAndTheGoodOnesAreLabelledAsAlone() throws IOException {
        // min-prob 0.2: a colourless image gets CLIP's uniform 1/6 for every class and then no labels, so the
        // small grey test images do not cost three Grounding-DINO runs each (scene classes score about 1/3 and up)
        LabelerSettings settings = Fixtures.settings(Map.of("clip.min-prob", "0.2"));
        Scene s0 = SceneImages.scene(0);
        Scene s1 = SceneImages.scene(1);
        byte[] j0 = SceneImages.jpeg(s0);
        byte[] j1 = SceneImages.jpeg(s1);
        List<ImageInput> inputs = List.of(
                input("empty.jpg", new byte[0]),
                input("scene0.jpg", j0),
                input("notes.jpg", "this is a text file, not a picture\n".getBytes(StandardCharsets.UTF_8)),
                input("cut.jpg", Arrays.copyOf(j1, j1.length * 2 / 3)),
                input("cmyk.jpg", cmykJpeg()),
                input("bad-header.jpg", corruptHeader(j0)),
                input("gray16.png", gray16Png()),
                input("huge.png", hugePng()),
                input("gray.png", grayPng()),
                input("rotated.jpg", exifRotatedJpeg()),
                input("scene1.jpg", j1));
        List<String> bad = List.of("empty.jpg", "notes.jpg", "cut.jpg", "bad-header.jpg", "huge.png");
        // expected decoded sizes of the good ones (the EXIF one is turned upright: 64x32 -> 32x64)
        Map<String, int[]> sizes = Map.of("scene0.jpg", new int[] {s0.image().width(), s0.image().height()},
                "scene1.jpg", new int[] {s1.image().width(), s1.image().height()}, "cmyk.jpg", new int[] {48, 32},
                "gray16.png", new int[] {40, 30}, "gray.png", new int[] {36, 20}, "rotated.jpg", new int[] {32, 64});

        try (ModelSet models = ModelSet.load(settings, settings.runtime())) {
            PseudoLabeler labeler = new PseudoLabeler(models, settings, CLASSES, Fixtures.text(settings, CLASSES));
            List<Prepared> batch = new ArrayList<>();
            for (ImageInput in : inputs) {
                batch.add(labeler.prepare(in));
            }
            List<LabelResult> results = labeler.label(batch);

            assertEquals(inputs.size(), results.size());
            for (int i = 0; i < inputs.size(); i++) {
                ImageInput in = inputs.get(i);
                LabelResult r = results.get(i);
                assertEquals(in.imageId(), r.imageId(), "result " + i + " is out of order");
                assertEquals(in.uri(), r.uri());
                if (bad.contains(in.imageId())) {
                    assertEquals(LabelStatus.BAD_IMAGE, r.status(), in.imageId());
                    assertFalse(r.ok());
                    assertNotNull(r.error());
                    assertTrue(r.error().startsWith(in.uri() + ": "), r.error());
                    assertEquals(0, r.width());
                    assertNull(r.semantic());
                    assertTrue(r.labels().isEmpty() && r.instances().isEmpty());
                } else {
                    assertEquals(LabelStatus.OK, r.status(), in.imageId() + ": " + r.error());
                    assertNull(r.error());
                    int[] wh = sizes.get(in.imageId());
                    assertEquals(wh[0], r.width(), in.imageId());
                    assertEquals(wh[1], r.height(), in.imageId());
                    assertEquals(wh[0], r.semantic().width());
                    assertNotNull(r.semanticPng());
                }
            }
            assertTrue(results.get(7).error().contains("100000x100000"), results.get(7).error());

            // the last scene gets the same labels and map as when labelled on its own: the eight entries before it
            // (five failed) do not shift CLIP's batch against its images
            LabelResult mixed = results.get(10);
            LabelResult alone = labeler.label(inputs.get(10));
            assertEquals(alone.labels(), mixed.labels());
            assertEquals(alone.semantic(), mixed.semantic());
            List<String> names = mixed.labels().stream().map(ClassScore::name).toList();
            assertTrue(s1.objects().stream().map(SceneObject::name).allMatch(names::contains),
                    names + " vs " + s1.objects());
            assertFalse(results.get(1).instances().isEmpty());
            assertFalse(mixed.instances().isEmpty());
        }
    }

    @Test
    void anUnknownGivenClassIsABadAnnotationAndTheNextImageStillLabels() {
        LabelerSettings settings = Fixtures.settings(Map.of("supervision", "image-labels"));
        Scene s0 = SceneImages.scene(0);
        Scene s1 = SceneImages.scene(1);
        List<String> truth1 = s1.objects().stream().map(SceneObject::name).distinct().toList();
        try (ModelSet models = ModelSet.load(settings, settings.runtime())) {
            PseudoLabeler labeler = new PseudoLabeler(models, settings, CLASSES, null);
            List<Prepared> batch = List.of(
                    labeler.prepare(new ImageInput("a", "file:/data/a.jpg", SceneImages.jpeg(s0),
                            List.of(s0.objects().get(0).name(), "unicorn"), List.of())),
                    labeler.prepare(new ImageInput("b", "file:/data/b.jpg", SceneImages.jpeg(s1),
                            truth1.stream().map(String::toUpperCase).toList(), List.of())));
            List<LabelResult> r = labeler.label(batch);
            assertEquals(LabelStatus.BAD_ANNOTATION, r.get(0).status());
            assertTrue(r.get(0).error().contains("file:/data/a.jpg") && r.get(0).error().contains("'unicorn'"),
                    r.get(0).error());
            assertEquals(LabelStatus.OK, r.get(1).status(), r.get(1).error());
            // given names match case-insensitively and come back with score 1
            assertEquals(truth1, r.get(1).labels().stream().map(ClassScore::name).toList());
            assertTrue(r.get(1).labels().stream().allMatch(l -> l.score() == 1f));
            assertEquals(s1.objects().size(), r.get(1).instances().size());
        }
    }

    @Test
    void anUnknownGivenBoxClassIsABadAnnotation() {
        LabelerSettings settings = Fixtures.settings(Map.of("supervision", "boxes"));
        Scene s0 = SceneImages.scene(0);
        try (ModelSet models = ModelSet.load(settings, settings.runtime())) {
            assertNull(models.clip());
            assertNull(models.dino());
            PseudoLabeler labeler = new PseudoLabeler(models, settings, CLASSES, null);
            LabelResult bad = labeler.label(new ImageInput("a", "file:/data/a.jpg", SceneImages.jpeg(s0), List.of(),
                    List.of(new GivenBox("zebra", new Box(1, 1, 20, 20)))));
            assertEquals(LabelStatus.BAD_ANNOTATION, bad.status());
            assertTrue(bad.error().contains("file:/data/a.jpg") && bad.error().contains("'zebra'"), bad.error());
            LabelResult good = labeler.label(new ImageInput("b", "file:/data/b.jpg", SceneImages.jpeg(s0), List.of(),
                    s0.objects().stream().map(o -> new GivenBox(o.name(), o.box())).toList()));
            assertEquals(LabelStatus.OK, good.status(), good.error());
            assertEquals(s0.objects().size(), good.instances().size());
        }
    }
}
