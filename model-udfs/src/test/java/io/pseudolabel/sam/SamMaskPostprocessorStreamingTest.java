package io.pseudolabel.sam;

import io.pseudolabel.image.SamImageProcessor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SamMaskPostprocessorStreamingTest {

    /** PyTorch's bilinear (align_corners=False) evaluated pixel by pixel: the formula the fast code must match. */
    static float[] referenceBilinear(float[] src, int sw, int sh, int dw, int dh, int cropW, int cropH) {
        int[] x0 = new int[cropW];
        int[] x1 = new int[cropW];
        float[] fx = new float[cropW];
        axis(sw, dw, cropW, x0, x1, fx);
        int[] y0 = new int[cropH];
        int[] y1 = new int[cropH];
        float[] fy = new float[cropH];
        axis(sh, dh, cropH, y0, y1, fy);
        float[] out = new float[cropW * cropH];
        for (int y = 0; y < cropH; y++) {
            int r0 = y0[y] * sw;
            int r1 = y1[y] * sw;
            float wy = fy[y];
            for (int x = 0; x < cropW; x++) {
                float top = src[r0 + x0[x]] * (1 - fx[x]) + src[r0 + x1[x]] * fx[x];
                float bottom = src[r1 + x0[x]] * (1 - fx[x]) + src[r1 + x1[x]] * fx[x];
                out[y * cropW + x] = top * (1 - wy) + bottom * wy;
            }
        }
        return out;
    }

    private static void axis(int in, int out, int count, int[] i0, int[] i1, float[] frac) {
        double scale = (double) in / out;
        for (int d = 0; d < count; d++) {
            double s = Math.max((d + 0.5) * scale - 0.5, 0.0);
            int lo = Math.min((int) Math.floor(s), in - 1);
            i0[d] = lo;
            i1[d] = Math.min(lo + 1, in - 1);
            frac[d] = (float) (s - lo);
        }
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 40 - 20);
        }
        return v;
    }

    @Test
    void toOriginalIsBitIdenticalToThePixelByPixelFormula() {
        int[][] sizes = {{640, 480}, {480, 640}, {500, 375}, {320, 240}, {1, 1}, {3000, 7}, {1024, 1024}, {1500, 1100},
            {257, 13}};
        long seed = 1;
        for (int[] s : sizes) {
            float[] low = random(256 * 256, seed++);
            int[] resized = SamImageProcessor.resizedSize(s[0], s[1], SamMaskPostprocessor.FRAME);
            float[] frame = referenceBilinear(low, 256, 256, 1024, 1024, resized[0], resized[1]);
            float[] expected = referenceBilinear(frame, resized[0], resized[1], s[0], s[1], s[0], s[1]);
            float[] got = SamMaskPostprocessor.toOriginal(low, resized[0], resized[1], s[0], s[1]);
            assertEquals(s[0] * s[1], got.length);
            assertArrayEquals(expected, got, s[0] + "x" + s[1]);
        }
    }

    @Test
    void bilinearMatchesTheFormulaUpAndDownWithCrops() {
        int[][] cases = {{256, 256, 1024, 1024, 1024, 768}, {7, 5, 3, 2, 3, 2}, {5, 9, 17, 30, 10, 30},
            {100, 80, 33, 21, 33, 21}, {1, 1, 4, 4, 4, 4}, {64, 64, 64, 64, 64, 64}};
        long seed = 100;
        for (int[] c : cases) {
            float[] src = random(c[0] * c[1], seed++);
            assertArrayEquals(referenceBilinear(src, c[0], c[1], c[2], c[3], c[4], c[5]),
                    SamMaskPostprocessor.bilinear(src, c[0], c[1], c[2], c[3], c[4], c[5]), Arrays.toString(c));
        }
    }
}
