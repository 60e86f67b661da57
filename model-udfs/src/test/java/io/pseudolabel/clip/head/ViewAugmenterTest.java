package io.pseudolabel.clip.head;

import io.pseudolabel.image.ClipImageConfig;
import io.pseudolabel.image.ClipImageProcessor;
import io.pseudolabel.image.Resampler;
import io.pseudolabel.image.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
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
        ViewAugmenter a = new ViewAugmenter(TORCHVISION, 32, 32, Resampler.Filter.BICUBIC);
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
        ViewAugmenter a = new ViewAugmenter(new ClipHeadSettings.Augment(1, 1, 1, 4.0 / 3, 0, 0, 0, 0), 32, 32,
                Resampler.Filter.BICUBIC);
        assertEquals(new ViewAugmenter.Window(43, 0, 13, 10), a.cropWindow(100, 10, new Random(1)));
    }

    @Test
    void aViewDependsOnlyOnItsSeed() {
        byte[] rgb = new byte[64 * 48 * 3];
        new Random(5).nextBytes(rgb);
        RgbImage img = new RgbImage(64, 48, rgb);
        ViewAugmenter a = new ViewAugmenter(TORCHVISION, 32, 32, Resampler.Filter.BICUBIC);
        RgbImage v1 = a.view(img, 42);
        assertArrayEquals(v1.rgb(), a.view(img, 42).rgb());
        assertFalse(Arrays.equals(v1.rgb(), a.view(img, 43).rgb()));
        assertEquals(ViewEmbedder.viewSeed(1, "a.jpg", 2), ViewEmbedder.viewSeed(1, "a.jpg", 2));
        assertTrue(ViewEmbedder.viewSeed(1, "a.jpg", 2) != ViewEmbedder.viewSeed(1, "a.jpg", 3));
    }

    @Test
    void aWideWindowIsResizedWholeToClipsSquareInputSoClipPreprocessingCutsNothing() {
        // scale 0.5, ratio 2 on 200x100: a 141x71 window. CLIP's shortest-edge resize + centre crop of that
        // window would cut its left and right ends; RandomResizedCrop squeezes the whole window instead.
        ClipImageProcessor clip = new ClipImageProcessor(ClipImageConfig.defaults());
        int[] size = clip.inputSize();
        assertArrayEquals(new int[] {224, 224}, size);
        ViewAugmenter a = new ViewAugmenter(new ClipHeadSettings.Augment(0.5, 0.5, 2, 2, 0, 0, 0, 0), size[0], size[1],
                ClipImageConfig.defaults().resample());
        long seed = 7;
        ViewAugmenter.Window win = a.cropWindow(200, 100, new Random(seed));
        assertEquals(141, win.w());
        assertEquals(71, win.h());
        byte[] rgb = new byte[200 * 100 * 3];
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 200; x++) {
                boolean marker = x == win.x() || x == win.x() + 1;
                rgb[(y * 200 + x) * 3] = (byte) (marker ? 255 : 128);
                rgb[(y * 200 + x) * 3 + 1] = (byte) (marker ? 0 : 128);
                rgb[(y * 200 + x) * 3 + 2] = (byte) (marker ? 0 : 128);
            }
        }
        RgbImage view = a.view(new RgbImage(200, 100, rgb), seed);
        assertEquals(224, view.width());
        assertEquals(224, view.height());
        for (int y = 0; y < 224; y += 37) {
            assertTrue(view.get(0, y, 0) > 200 && view.get(0, y, 1) < 60, "marker at row " + y + ": "
                    + view.get(0, y, 0) + "," + view.get(0, y, 1));
            assertTrue(Math.abs(view.get(112, y, 0) - 128) < 3, "centre is grey");
        }
        // CLIP's preprocessing of the view is then the view itself, normalised: no resize, no crop.
        float[] px = clip.pixelValues(view);
        float r0 = (float) ((view.get(0, 0, 0) / 255.0 - ClipImageConfig.OPENAI_CLIP_MEAN[0])
                / ClipImageConfig.OPENAI_CLIP_STD[0]);
        assertEquals(r0, px[0], 1e-5f);
    }
}
