package io.pseudolabel.sam;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code F.interpolate(mode="bilinear", align_corners=False)}, derived by hand: output pixel d samples
 * source coordinate s = max((d + 0.5) * in/out - 0.5, 0), between floor(s) and min(floor(s)+1, in-1) with
 * weight frac(s). (Checked once against PyTorch 1.13; the numbers below are the hand derivation.)
 */
class SamMaskPostprocessorTest {
    static final float EPS = 1e-5f;

    @Test
    void upsample2x2To4x4() {
        // in/out = 0.5: d=0 -> s=-0.25 -> 0 (weights 1,0); d=1 -> 0.25 (.75,.25); d=2 -> 0.75 (.25,.75);
        // d=3 -> 1.25 -> index 1 clamped (0,1). Row [1,2] -> 1, 1.25, 1.75, 2; row [3,4] -> 3, 3.25, 3.75, 4.
        // Rows mix the same way: row1 = .75*top + .25*bottom = top + 0.5, row2 = top + 1.5.
        float[] out = SamMaskPostprocessor.bilinear(new float[] {1, 2, 3, 4}, 2, 2, 4, 4);
        assertArrayEquals(new float[] {
            1.0f, 1.25f, 1.75f, 2.0f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.5f, 2.75f, 3.25f, 3.5f,
            3.0f, 3.25f, 3.75f, 4.0f}, out, EPS);
    }

    @Test
    void upsample2x2To3x3() {
        // in/out = 2/3: d=0 -> 1/3-1/2 < 0 -> 0 (1,0); d=1 -> 1-1/2 = 0.5 (.5,.5); d=2 -> 5/3-1/2 = 7/6 -> index 1
        // clamped (0,1). Row [1,2] -> 1, 1.5, 2; row [3,4] -> 3, 3.5, 4; the middle row is their mean.
        float[] out = SamMaskPostprocessor.bilinear(new float[] {1, 2, 3, 4}, 2, 2, 3, 3);
        assertArrayEquals(new float[] {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}, out, EPS);
    }

    @Test
    void widthAndHeightAreNotSwapped() {
        // 3 wide x 2 high -> 3 wide x 4 high: x is the identity (in/out = 1, s = d), y mixes as in 2 -> 4:
        // weights (1,0), (.75,.25), (.25,.75), (0,1) of rows [0,1,2] and [3,4,5]
        float[] out = SamMaskPostprocessor.bilinear(new float[] {0, 1, 2, 3, 4, 5}, 3, 2, 3, 4);
        assertArrayEquals(new float[] {0, 1, 2, 0.75f, 1.75f, 2.75f, 2.25f, 3.25f, 4.25f, 3, 4, 5}, out, EPS);
    }

    @Test
    void downsample4x4To2x2WithoutAntialias() {
        // in/out = 2: d=0 -> 0.5 (.5 of 0, .5 of 1); d=1 -> 2.5 (.5 of 2, .5 of 3): plain 2x2 means.
        // src(x,y) = 4y + x: (0+1+4+5)/4 = 2.5, (2+3+6+7)/4 = 4.5, (8+9+12+13)/4 = 10.5, (10+11+14+15)/4 = 12.5
        float[] src = new float[16];
        for (int i = 0; i < 16; i++) {
            src[i] = i;
        }
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, SamMaskPostprocessor.bilinear(src, 4, 4, 2, 2), EPS);
        // 6 -> 4 (in/out = 1.5): s = 0.25, 1.75, 3.25, 4.75 on [0,10,0,10,0,10]:
        // .75*0+.25*10 = 2.5, .25*10+.75*0 = 2.5, .75*10+.25*0 = 7.5, .25*0+.75*10 = 7.5 (an antialiased
        // resize would average more than two neighbours and give something else)
        assertArrayEquals(new float[] {2.5f, 2.5f, 7.5f, 7.5f},
                SamMaskPostprocessor.bilinear(new float[] {0, 10, 0, 10, 0, 10}, 6, 1, 4, 1), EPS);
    }

    @Test
    void cropWindowIsTheTopLeftOfTheFullOutput() {
        float[] full = SamMaskPostprocessor.bilinear(new float[] {1, 2, 3, 4}, 2, 2, 4, 4);
        float[] crop = SamMaskPostprocessor.bilinear(new float[] {1, 2, 3, 4}, 2, 2, 4, 4, 3, 2);
        assertArrayEquals(new float[] {1.0f, 1.25f, 1.75f, 1.5f, 1.75f, 2.25f}, crop, EPS);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(full[y * 4 + x], crop[y * 3 + x], 0f);
            }
        }
    }

    @Test
    void toOriginalLandscape() {
        // low-res +8 left of column 128, -8 from it. 256 -> 1024 (in/out 1/4): frame column 511 samples
        // s = 511.5/4 - .5 = 127.375 -> 8*.625 - 8*.375 = 2; 512 -> 127.625 -> -2; 510 -> 6; 513 -> -6; 509 -> 8.
        // 640x480 resizes to 1024x768: crop to 1024x768, then 1024 -> 640 (in/out 1.6): column 318 samples
        // 318.5*1.6-.5 = 509.1 -> 8*.9+6*.1 = 7.8; 319 -> 510.7 -> 6*.3+2*.7 = 3.2; 320 -> 512.3 -> -3.2;
        // 321 -> 513.9 -> -6*.1-8*.9 = -7.8
        float[] low = new float[256 * 256];
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                low[y * 256 + x] = x < 128 ? 8f : -8f;
            }
        }
        float[] out = SamMaskPostprocessor.toOriginal(low, 1024, 768, 640, 480);
        assertEquals(640 * 480, out.length);
        for (int y : new int[] {0, 5, 479}) {
            assertArrayEquals(new float[] {8f, 7.8f, 3.2f, -3.2f, -7.8f, -8f},
                    Arrays.copyOfRange(out, y * 640 + 317, y * 640 + 323), 1e-4f);
        }
    }

    @Test
    void toOriginalPortraitCropsThePadding() {
        // 480x640 resizes to 768x1024; the padding (frame columns >= 768, low-res >= 192) is -100, the image +8.
        // frame 766: s = 766.5/4-.5 = 191.125 -> 8*.875 - 100*.125 = -5.5; frame 767: 191.375 -> 5 - 37.5 = -32.5.
        // 768 -> 480 (in/out 1.6): column 479 samples 479.5*1.6-.5 = 766.7 -> -5.5*.3 - 32.5*.7 = -24.4;
        // column 477 samples 762.7, all of whose neighbours are 8. Without the crop (1024 -> 480) column 479
        // would sample 1022.4, deep in the padding: -100.
        float[] low = new float[256 * 256];
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                low[y * 256 + x] = x < 192 ? 8f : -100f;
            }
        }
        float[] out = SamMaskPostprocessor.toOriginal(low, 768, 1024, 480, 640);
        assertEquals(480 * 640, out.length);
        assertEquals(8f, out[7 * 480 + 477], 1e-4f);
        assertEquals(-24.4f, out[7 * 480 + 479], 1e-3f);
        assertEquals(-24.4f, out[639 * 480 + 479], 1e-3f);
    }

    @Test
    void identityWhenSizesMatch() {
        float[] src = {3, -1, 4, 1, -5, 9};
        assertArrayEquals(src, SamMaskPostprocessor.bilinear(src, 3, 2, 3, 2), 0f);
    }
}
