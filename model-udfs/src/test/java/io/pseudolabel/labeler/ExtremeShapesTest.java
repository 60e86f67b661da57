package io.pseudolabel.labeler;

import io.pseudolabel.config.LabelerSettings;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Images of extreme shape cost their own row and nothing else: refused from the header by
 * {@code pseudolabel.image.*}, and with the limits raised, whatever fails while preparing them (CLIP's
 * shortest-edge resize of a 2x40000 strip overflowed an int) is still that image's error.
 */
class ExtremeShapesTest {
    static final List<String> CLASSES = SceneImages.WORLD.classNames();

    static byte[] blankPng(int w, int h) throws IOException {
        return PseudoLabelerBadInputTest.png(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB));
    }

    /** A PNG signature, an IHDR claiming {@code w x h} RGB pixels (CRC right), an empty IDAT and IEND. */
    static byte[] claimedPng(int w, int h) {
        byte[] ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put(new byte[] {8, 2, 0, 0, 0}).array();
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 20 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        b.put(PseudoLabelerBadInputTest.chunk("IHDR", ihdr));
        b.put(PseudoLabelerBadInputTest.chunk("IDAT", new byte[] {0x78, (byte) 0x9c, 3, 0, 0, 0, 0, 1}));
        b.put(PseudoLabelerBadInputTest.chunk("IEND", new byte[0]));
        return b.array();
    }

    static List<LabelResult> label(LabelerSettings settings, List<ImageInput> inputs) {
        try (ModelSet models = ModelSet.load(settings, settings.runtime())) {
            PseudoLabeler labeler = new PseudoLabeler(models, settings, CLASSES, Fixtures.text(settings, CLASSES));
            List<Prepared> batch = new ArrayList<>();
            for (ImageInput in : inputs) {
                batch.add(labeler.prepare(in));
            }
            return labeler.label(batch);
        }
    }

    static ImageInput input(String name, byte[] bytes) {
        return ImageInput.of(name, "file:/data/" + name, bytes);
    }

    @Test
    void extremeShapesAreRefusedFromTheHeaderAsTheirOwnRowsNamingFileAndLimit() throws IOException {
        List<ImageInput> inputs = List.of(
                input("tall.png", blankPng(2, 40_000)),
                input("wide.png", blankPng(40_000, 2)),
                input("dot.png", blankPng(1, 1)),
                input("claims-65535.png", claimedPng(65_535, 65_535)),
                input("scene.jpg", SceneImages.jpeg(SceneImages.scene(0))),
                input("strip.png", blankPng(2, 1_000)));
        List<LabelResult> r = label(Fixtures.settings(Map.of("clip.min-prob", "0.2")), inputs);

        assertEquals(6, r.size());
        assertBad(r.get(0), "file:/data/tall.png: image is 2x40000: its height 40000 is more than the limit of 30000 "
                + "(pseudolabel.image.max-side)");
        assertBad(r.get(5), "file:/data/strip.png: image is 2x1000: aspect ratio 500.0:1 is more than the limit of "
                + "20:1 (pseudolabel.image.max-aspect-ratio)");
        assertBad(r.get(1), "file:/data/wide.png: image is 40000x2: its width 40000 is more than the limit of 30000 "
                + "(pseudolabel.image.max-side)");
        assertBad(r.get(3), "file:/data/claims-65535.png: image is 65535x65535 = 4294836225 pixels, more than the "
                + "limit of 100000000 (pseudolabel.image.max-pixels)");
        // a single pixel is a valid image: labelled (nothing in it), a 1x1 map
        assertEquals(LabelStatus.OK, r.get(2).status(), r.get(2).error());
        assertEquals(1, r.get(2).semantic().width());
        assertEquals(1, r.get(2).semantic().height());
        assertEquals(LabelStatus.OK, r.get(4).status(), r.get(4).error());
        assertTrue(!r.get(4).instances().isEmpty());
    }

    @Test
    void withTheLimitsRaisedAPreparationFailureIsStillOnlyThatImagesRow() throws IOException {
        LabelerSettings loose = Fixtures.settings(Map.of("clip.min-prob", "0.2", "image.max-aspect-ratio", "100000",
                "image.max-side", "100000"));
        List<LabelResult> r = label(loose, List.of(input("tall.png", blankPng(2, 40_000)),
                input("scene.jpg", SceneImages.jpeg(SceneImages.scene(1)))));
        assertEquals(LabelStatus.BAD_IMAGE, r.get(0).status());
        // CLIP's shortest edge 224 makes the strip 224 x 4480000: 3 GB of pixels, refused with the sizes
        assertEquals("file:/data/tall.png: cannot prepare the 2x40000 image for CLIP: java.lang.IllegalArgumentException:"
                + " resizing a 2x40000 image to 224x4480000 needs more than 2 GB of pixels", r.get(0).error());
        assertEquals(LabelStatus.OK, r.get(1).status(), r.get(1).error());
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeDecoding() throws IOException {
        byte[] scene = SceneImages.jpeg(SceneImages.scene(2));
        LabelerSettings small = Fixtures.settings(Map.of("image.max-file-size", Integer.toString(scene.length - 1)));
        LabelResult r = label(small, List.of(input("scene.jpg", scene))).get(0);
        assertBad(r, "file:/data/scene.jpg: file is " + scene.length + " bytes, more than the limit of "
                + (scene.length - 1) + " (pseudolabel.image.max-file-size)");
    }

    static void assertBad(LabelResult r, String error) {
        assertEquals(LabelStatus.BAD_IMAGE, r.status(), r.uri());
        assertNotNull(r.error());
        assertEquals(error, r.error());
        assertEquals(0, r.width());
    }
}
