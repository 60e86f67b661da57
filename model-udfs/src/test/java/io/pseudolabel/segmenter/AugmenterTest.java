package io.pseudolabel.segmenter;

import io.pseudolabel.image.RgbImage;
import io.pseudolabel.masks.ClassMap;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AugmenterTest {

    private static final byte X = (byte) 255;

    /** A 3x2 single-value-per-pixel HWC image: pixel i has all channels = i + 1. */
    private static float[] image3x2() {
        float[] hwc = new float[3 * 2 * 3];
        for (int i = 0; i < 6; i++) {
            hwc[i * 3] = hwc[i * 3 + 1] = hwc[i * 3 + 2] = i + 1;
        }
        return hwc;
    }

    @Test
    void cropPadsImageWithZeroAndLabelsWith255() {
        byte[] labels = {1, 2, 3, 4, 5, 6};
        Augmenter.Crop c = Augmenter.crop(image3x2(), labels, 3, 2, 4, 0, 0, false);
        assertArrayEquals(new byte[] {1, 2, 3, X, 4, 5, 6, X, X, X, X, X, X, X, X, X}, c.labels());
        float[] plane = new float[16];
        System.arraycopy(c.chw(), 16, plane, 0, 16); // channel 1
        assertArrayEquals(new float[] {1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0}, plane);
    }

    @Test
    void cropWindowAndFlip() {
        byte[] labels = {1, 2, 3, 4, 5, 6};
        Augmenter.Crop c = Augmenter.crop(image3x2(), labels, 3, 2, 2, 1, 0, false);
        assertArrayEquals(new byte[] {2, 3, 5, 6}, c.labels());
        Augmenter.Crop f = Augmenter.crop(image3x2(), labels, 3, 2, 2, 1, 0, true);
        assertArrayEquals(new byte[] {3, 2, 6, 5}, f.labels());
        assertArrayEquals(new float[] {3, 2, 6, 5}, Arrays.copyOfRange(f.chw(), 8, 12));
        // A flipped padded crop mirrors the padding too.
        Augmenter.Crop fp = Augmenter.crop(image3x2(), labels, 3, 2, 4, 0, 0, true);
        assertArrayEquals(new byte[] {X, 3, 2, 1, X, 6, 5, 4, X, X, X, X, X, X, X, X}, fp.labels());
    }

    @Test
    void resizeCenterCropTakesTheMiddleOfTheShorterSideScaledToTheCrop() {
        // 8x4 labels with id = column: already at the crop's short side (4), so only the centre window is cut.
        byte[] ids = new byte[8 * 4];
        byte[] rgb = new byte[8 * 4 * 3];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (byte) (i % 8);
        }
        Sample wide = new Sample(new RgbImage(8, 4, rgb), new ClassMap(8, 4, ids));
        Augmenter still = new Augmenter(4, 0.5f, 2f, CropMode.RESIZE_CENTER, false);
        Random rnd = new Random(1);
        for (int k = 0; k < 3; k++) {
            Augmenter.Crop c = still.augment(wide, rnd);
            assertArrayEquals(new byte[] {2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5}, c.labels());
        }
        assertEquals(new Random(1).nextInt(), rnd.nextInt(), "no random draw without flips");
        // With flips, the same window, mirrored or not.
        Augmenter flipping = new Augmenter(4, 0.5f, 2f, CropMode.RESIZE_CENTER, true);
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < 20; k++) {
            seen.add(Arrays.toString(Arrays.copyOf(flipping.augment(wide, rnd).labels(), 4)));
        }
        assertEquals(Set.of("[2, 3, 4, 5]", "[5, 4, 3, 2]"), seen);
        // 6 wide, 12 tall, crop 3: scaled by 1/2 to 3x6, rows 1..3 of it (source rows 3, 5, 7 by nearest).
        byte[] tall = new byte[6 * 12];
        for (int i = 0; i < tall.length; i++) {
            tall[i] = (byte) (i / 6);
        }
        Augmenter.Crop c = new Augmenter(3, 1f, 1f, CropMode.RESIZE_CENTER, false)
                .augment(new Sample(new RgbImage(6, 12, new byte[6 * 12 * 3]), new ClassMap(6, 12, tall)), rnd);
        assertArrayEquals(new byte[] {3, 3, 3, 5, 5, 5, 7, 7, 7}, c.labels());
    }

    @Test
    void nearestLabelResize() {
        byte[] two = {1, 2, 3, 4};
        assertArrayEquals(new byte[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                Augmenter.resizeNearest(two, 2, 2, 4, 4));
        byte[] four = new byte[16];
        for (int i = 0; i < 16; i++) {
            four[i] = (byte) i;
        }
        // Output pixel x reads floor((x + 0.5) * 2) = 1, 3.
        assertArrayEquals(new byte[] {5, 7, 13, 15}, Augmenter.resizeNearest(four, 4, 4, 2, 2));
    }

    @Test
    void bilinearResizeUsesHalfPixelCentresAndClamps() {
        float[] row = {0, 4};
        assertArrayEquals(new float[] {0, 1, 3, 4}, Augmenter.resizeBilinear(row, 2, 1, 1, 4, 1), 1e-6f);
        float[] four = {0, 2, 4, 6};
        // Downscale 4 -> 2: sources 0.5 and 2.5.
        assertArrayEquals(new float[] {1, 5}, Augmenter.resizeBilinear(four, 4, 1, 1, 2, 1), 1e-6f);
    }

    @Test
    void normalisationUsesImageNetMeanAndStd() {
        float[] n = Augmenter.normalise(new RgbImage(1, 1, new byte[] {0, (byte) 255, (byte) 128}));
        assertEquals(-0.485f / 0.229f, n[0], 1e-6f);
        assertEquals((1 - 0.456f) / 0.224f, n[1], 1e-6f);
        assertEquals((128 / 255f - 0.406f) / 0.225f, n[2], 1e-6f);
    }

    @Test
    void augmentDrawsScaleCropAndFlipInOrder() {
        int w = 40;
        int h = 20;
        byte[] rgb = new byte[w * h * 3];
        byte[] ids = new byte[w * h];
        for (int i = 0; i < w * h; i++) {
            ids[i] = (byte) (i % 7);
            rgb[i * 3] = (byte) i;
        }
        Sample s = new Sample(new RgbImage(w, h, rgb), new ClassMap(w, h, ids));
        Augmenter a = new Augmenter(16, 1f, 1f);
        for (long seed = 0; seed < 20; seed++) {
            Augmenter.Crop c = a.augment(s, new Random(seed));
            Random r = new Random(seed);
            r.nextDouble();
            int x0 = r.nextInt(w - 16 + 1);
            int y0 = r.nextInt(h - 16 + 1);
            boolean flip = r.nextBoolean();
            Augmenter.Crop e = Augmenter.crop(Augmenter.normalise(s.image()), ids, w, h, 16, x0, y0, flip);
            assertArrayEquals(e.labels(), c.labels());
            assertArrayEquals(e.chw(), c.chw());
        }
        // Scale 0.5 of a 40x20 image is 20x10: the crop's rows 10..15 are padding.
        Augmenter half = new Augmenter(16, 0.5f, 0.5f);
        Augmenter.Crop c = half.augment(s, new Random(3));
        for (int y = 10; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                assertEquals(X, c.labels()[y * 16 + x]);
            }
        }
    }

    @Test
    void inferenceInputPadsToMultiplesOf16() {
        Augmenter.Padded p = Augmenter.inferenceInput(new RgbImage(17, 5, new byte[17 * 5 * 3]));
        assertEquals(32, p.paddedWidth());
        assertEquals(16, p.paddedHeight());
        assertEquals(3 * 32 * 16, p.chw().length);
        assertEquals(-0.485f / 0.229f, p.chw()[0], 1e-6f);
        assertEquals(0f, p.chw()[17]);
    }
}
