package io.pseudolabel.image;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ResamplerTest {

    @Test
    void matchesPillowResizeExactly() {
        JsonObject root = Goldens.root();
        JsonObject sources = root.getAsJsonObject("sources");
        int cases = 0;
        for (JsonElement e : root.getAsJsonArray("resize")) {
            JsonObject c = e.getAsJsonObject();
            String key = c.get("src").getAsString();
            String[] wh = key.split("x");
            RgbImage src = new RgbImage(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]),
                    Goldens.hex(sources.get(key).getAsString()));
            int tw = c.get("tw").getAsInt();
            int th = c.get("th").getAsInt();
            Resampler.Filter f = Resampler.Filter.fromPilCode(c.get("resample").getAsInt());
            RgbImage out = Resampler.resize(src, tw, th, f);
            assertEquals(tw, out.width());
            assertEquals(th, out.height());
            assertArrayEquals(Goldens.hex(c.get("out").getAsString()), out.rgb(),
                    key + " -> " + tw + "x" + th + " " + f);
            cases++;
        }
        assertEquals(26, cases);
    }

    @Test
    void constantImageStaysConstantUpAndDown() {
        byte[] px = new byte[9 * 7 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 200;
            px[i + 1] = 17;
            px[i + 2] = (byte) 255;
        }
        RgbImage src = new RgbImage(9, 7, px);
        for (Resampler.Filter f : Resampler.Filter.values()) {
            for (int[] size : new int[][] {{4, 3}, {20, 31}, {9, 2}, {1, 1}}) {
                RgbImage out = Resampler.resize(src, size[0], size[1], f);
                for (int y = 0; y < out.height(); y++) {
                    for (int x = 0; x < out.width(); x++) {
                        assertEquals(200, out.get(x, y, 0));
                        assertEquals(17, out.get(x, y, 1));
                        assertEquals(255, out.get(x, y, 2));
                    }
                }
            }
        }
    }

    @Test
    void sameSizeIsACopy() {
        RgbImage src = new RgbImage(2, 1, new byte[] {1, 2, 3, 4, 5, 6});
        RgbImage out = Resampler.resize(src, 2, 1, Resampler.Filter.BICUBIC);
        assertArrayEquals(src.rgb(), out.rgb());
        out.rgb()[0] = 9;
        assertEquals(1, src.rgb()[0]);
    }

    @Test
    void fixedPointCoefficientsSumToOneAndWidenWhenDownscaling() {
        // 4 -> 2 bilinear: scale 2, support 2: each output reads 4 inputs (clipped at the borders).
        Resampler.Coefficients c = Resampler.Coefficients.compute(4, 2, Resampler.Filter.BILINEAR);
        assertEquals(5, c.ksize);
        assertEquals(0, c.start[0]);
        assertEquals(3, c.count[0]);
        // centre 1.0: taps at 0,1,2 with weights (1-|x+0.5-1|/2) = .75,.75,.25 -> /1.75
        int one = 1 << Resampler.PRECISION_BITS;
        assertEquals((int) (0.5 + 0.75 / 1.75 * one), c.weights[0]);
        assertEquals((int) (0.5 + 0.25 / 1.75 * one), c.weights[2]);
        // upscaling 2 -> 4: support stays 1
        Resampler.Coefficients up = Resampler.Coefficients.compute(2, 4, Resampler.Filter.BILINEAR);
        assertEquals(3, up.ksize);
    }

    @Test
    void rejectsBadArguments() {
        RgbImage src = new RgbImage(1, 1, new byte[3]);
        assertThrows(IllegalArgumentException.class, () -> Resampler.resize(src, 0, 3, Resampler.Filter.BILINEAR));
        assertThrows(IllegalArgumentException.class, () -> Resampler.Filter.fromPilCode(0));
    }

    /** Pillow's two passes with the generic tap loop, no special cases: what the fast paths must reproduce. */
    private static RgbImage referenceResize(RgbImage src, int width, int height, Resampler.Filter filter) {
        byte[] px = src.rgb();
        int w = src.width();
        int h = src.height();
        int half = 1 << (Resampler.PRECISION_BITS - 1);
        if (width != w) {
            Resampler.Coefficients c = Resampler.Coefficients.compute(w, width, filter);
            byte[] out = new byte[width * h * 3];
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < width; xx++) {
                    for (int ch = 0; ch < 3; ch++) {
                        int acc = half;
                        for (int k = 0; k < c.count[xx]; k++) {
                            acc += (px[(y * w + c.start[xx] + k) * 3 + ch] & 0xff) * c.weights[xx * c.ksize + k];
                        }
                        out[(y * width + xx) * 3 + ch] = (byte) Math.max(0, Math.min(255, acc >> Resampler.PRECISION_BITS));
                    }
                }
            }
            px = out;
            w = width;
        }
        if (height != h) {
            Resampler.Coefficients c = Resampler.Coefficients.compute(h, height, filter);
            byte[] out = new byte[w * height * 3];
            for (int yy = 0; yy < height; yy++) {
                for (int i = 0; i < w * 3; i++) {
                    int acc = half;
                    for (int k = 0; k < c.count[yy]; k++) {
                        acc += (px[(c.start[yy] + k) * w * 3 + i] & 0xff) * c.weights[yy * c.ksize + k];
                    }
                    out[yy * w * 3 + i] = (byte) Math.max(0, Math.min(255, acc >> Resampler.PRECISION_BITS));
                }
            }
            px = out;
        }
        return new RgbImage(width, height, px);
    }

    @Test
    void fastPathsMatchTheGenericTapLoopOnRandomSizes() {
        SplittableRandom r = new SplittableRandom(9);
        int[][] cases = {{640, 480, 1066, 800}, {640, 480, 1024, 768}, {640, 480, 298, 224}, {7, 5, 13, 11}, {13, 11, 7, 5},
            {3, 3, 1, 1}, {1, 1, 5, 2}, {100, 60, 101, 59}, {50, 50, 149, 23}};
        for (int[] c : cases) {
            byte[] px = new byte[c[0] * c[1] * 3];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) r.nextInt(256);
            }
            RgbImage src = new RgbImage(c[0], c[1], px);
            for (Resampler.Filter f : Resampler.Filter.values()) {
                assertArrayEquals(referenceResize(src, c[2], c[3], f).rgb(), Resampler.resize(src, c[2], c[3], f).rgb(),
                        Arrays.toString(c) + " " + f);
            }
        }
    }
}
