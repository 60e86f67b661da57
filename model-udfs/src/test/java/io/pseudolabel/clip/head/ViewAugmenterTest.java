package io.pseudolabel.clip.head;

import io.pseudolabel.image.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ViewAugmenterTest {
    static final ClipHeadSettings.Augment TORCHVISION = new ClipHeadSettings.Augment(0.08, 1.0, 0.75, 4.0 / 3, 0.5,
            0.4, 0.4, 0.4);

    @Test
    void cropCopiesTheWindowAndFlipMirrorsIt() {
        // 3x2 image, pixel value = 10*x + y in every channel
        byte[] rgb = new byte[3 * 2 * 3];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[(y * 3 + x) * 3 + c] = (byte) (10 * x + y);
                }
            }
        }
        RgbImage img = new RgbImage(3, 2, rgb);
        RgbImage crop = ViewAugmenter.crop(img, new ViewAugmenter.Window(1, 0, 2, 2), false);
        assertEquals(10, crop.get(0, 0, 0));
        assertEquals(20, crop.get(1, 0, 0));
        assertEquals(21, crop.get(1, 1, 2));
        RgbImage flipped = ViewAugmenter.crop(img, new ViewAugmenter.Window(1, 0, 2, 2), true);
        assertEquals(20, flipped.get(0, 0, 0));
        assertEquals(11, flipped.get(1, 1, 1));
    }

    @Test
    void jitterFollowsTorchvisionsFormulas() {
        RgbImage img = new RgbImage(2, 1, new byte[] {100, 50, 0, (byte) 200, (byte) 200, (byte) 200});
        // brightness 1.5: [150,75,0 | 255(clamped),255,255]
        RgbImage b = ViewAugmenter.jitter(img, 1.5, 1, 1);
        assertArrayEquals(new byte[] {(byte) 150, 75, 0, (byte) 255, (byte) 255, (byte) 255}, b.rgb());
        // contrast 0.5 around the mean grey: greys 0.299*100+0.587*50 = 59.25 and 200 -> mean 129.625
        RgbImage c = ViewAugmenter.jitter(img, 1, 0.5, 1);
        assertArrayEquals(new byte[] {(byte) Math.round(114.8125), (byte) Math.round(89.8125),
            (byte) Math.round(64.8125), (byte) Math.round(164.8125), (byte) Math.round(164.8125),
            (byte) Math.round(164.8125)}, c.rgb());
        // saturation 0: every pixel becomes its own grey
        RgbImage s = ViewAugmenter.jitter(img, 1, 1, 0);
        assertArrayEquals(new byte[] {59, 59, 59, (byte) 200, (byte) 200, (byte) 200}, s.rgb());
        assertTrue(ViewAugmenter.jitter(img, 1, 1, 1) == img);
    }

    @Test
    void cropWindowsStayInsideWithTheirScaleAndRatio() {
        ViewAugmenter a = new ViewAugmenter(TORCHVISION);
        Random rnd = new Random(3);
        for (int i = 0; i < 500; i++) {
            ViewAugmenter.Window w = a.cropWindow(320, 240, rnd);
            assertTrue(w.x() >= 0 && w.y() >= 0 && w.x() + w.w() <= 320 && w.y() + w.h() <= 240, w.toString());
            double scale = (double) w.w() * w.h() / (320 * 240);
            double ratio = (double) w.w() / w.h();
            assertTrue(scale > 0.07 && scale <= 1.0 && ratio > 0.7 && ratio < 1.4, w + " scale " + scale);
        }
    }

    @Test
    void fallsBackToACentredCropOfTheNearestAllowedRatio() {
        // scale 1 with ratio 1 cannot fit a 100x10 image: centre crop 13x10 (10 * 4/3 rounded)
        ViewAugmenter a = new ViewAugmenter(new ClipHeadSettings.Augment(1, 1, 1, 4.0 / 3, 0, 0, 0, 0));
        assertEquals(new ViewAugmenter.Window(43, 0, 13, 10), a.cropWindow(100, 10, new Random(1)));
    }

    @Test
    void aViewDependsOnlyOnItsSeed() {
        byte[] rgb = new byte[64 * 48 * 3];
        new Random(5).nextBytes(rgb);
        RgbImage img = new RgbImage(64, 48, rgb);
        ViewAugmenter a = new ViewAugmenter(TORCHVISION);
        RgbImage v1 = a.view(img, 42);
        assertArrayEquals(v1.rgb(), a.view(img, 42).rgb());
        assertFalse(java.util.Arrays.equals(v1.rgb(), a.view(img, 43).rgb()));
        assertEquals(ViewEmbedder.viewSeed(1, "a.jpg", 2), ViewEmbedder.viewSeed(1, "a.jpg", 2));
        assertTrue(ViewEmbedder.viewSeed(1, "a.jpg", 2) != ViewEmbedder.viewSeed(1, "a.jpg", 3));
    }
}
