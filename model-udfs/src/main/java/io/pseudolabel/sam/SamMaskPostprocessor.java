package io.pseudolabel.sam;

/**
 * SAM's mask post-processing on plain arrays, as HF {@code _post_process_masks_pt} and the official
 * decoder do it: bilinear (align_corners=False) from 256x256 logits to the 1024 frame, crop to the
 * resized image, bilinear to the original size. Thresholding is the caller's.
 *
 * <p>Every output value is computed with PyTorch's formula in float32, in the same order of operations:
 * {@code top = a*(1-fx) + b*fx}, {@code bottom = c*(1-fx) + d*fx}, {@code out = top*(1-fy) + bottom*fy}.
 * The implementation is separable and streaming: a source row's horizontal interpolation is computed
 * once and reused by every output row that reads it (the value does not depend on the output row), and
 * {@link #toOriginal} never materialises the 1024 frame: its rows are produced one at a time, as the
 * second resize asks for them. The result is bit-identical to evaluating the formula pixel by pixel.
 */
public final class SamMaskPostprocessor {
    public static final int LOW_RES = 256;
    public static final int FRAME = 1024;

    private SamMaskPostprocessor() {}

    /**
     * PyTorch's {@code F.interpolate(mode="bilinear", align_corners=False)} of an {@code sw x sh} plane to
     * {@code dw x dh}, evaluated only for the output window {@code [0,cropW) x [0,cropH)}.
     */
    public static float[] bilinear(float[] src, int sw, int sh, int dw, int dh, int cropW, int cropH) {
        if (src.length != sw * sh) {
            throw new IllegalArgumentException("source holds " + src.length + " values, " + sw + "x" + sh + " expected");
        }
        Axis ax = Axis.of(sw, dw, cropW);
        Axis ay = Axis.of(sh, dh, cropH);
        float[] out = new float[cropW * cropH];
        RowCache rows = new RowCache(cropW, (r, row) -> horizontal(src, r * sw, ax, row, cropW));
        for (int y = 0; y < cropH; y++) {
            blend(rows.get(ay.i0[y]), rows.get(ay.i1[y]), ay.frac[y], out, y * cropW, cropW);
        }
        return out;
    }

    public static float[] bilinear(float[] src, int sw, int sh, int dw, int dh) {
        return bilinear(src, sw, sh, dw, dh, dw, dh);
    }

    /** 256x256 low-res logits over the padded 1024 frame → logits at the original image size. */
    public static float[] toOriginal(float[] lowRes, int resizedW, int resizedH, int width, int height) {
        if (lowRes.length != LOW_RES * LOW_RES) {
            throw new IllegalArgumentException("low-res mask holds " + lowRes.length + " values, 256x256 expected");
        }
        // Stage 1: 256x256 -> 1024x1024, window [0,resizedW) x [0,resizedH). Stage 2: that window -> width x height.
        Axis ax1 = Axis.of(LOW_RES, FRAME, resizedW);
        Axis ay1 = Axis.of(LOW_RES, FRAME, resizedH);
        Axis ax2 = Axis.of(resizedW, width, width);
        Axis ay2 = Axis.of(resizedH, height, height);
        RowCache lowRows = new RowCache(resizedW, (r, row) -> horizontal(lowRes, r * LOW_RES, ax1, row, resizedW));
        float[] frameRow = new float[resizedW];
        // Frame row r, horizontally resized for stage 2; rows are asked for in non-decreasing order.
        RowCache frameRows = new RowCache(width, (r, row) -> {
            blend(lowRows.get(ay1.i0[r]), lowRows.get(ay1.i1[r]), ay1.frac[r], frameRow, 0, resizedW);
            horizontal(frameRow, 0, ax2, row, width);
        });
        float[] out = new float[width * height];
        for (int y = 0; y < height; y++) {
            blend(frameRows.get(ay2.i0[y]), frameRows.get(ay2.i1[y]), ay2.frac[y], out, y * width, width);
        }
        return out;
    }

    /** Source indices and weights along one axis (PyTorch's area_pixel_compute_source_index, clamped). */
    private static final class Axis {
        final int[] i0;
        final int[] i1;
        final float[] frac;

        private Axis(int count) {
            i0 = new int[count];
            i1 = new int[count];
            frac = new float[count];
        }

        static Axis of(int in, int out, int count) {
            Axis a = new Axis(count);
            double scale = (double) in / out;
            for (int d = 0; d < count; d++) {
                double s = Math.max((d + 0.5) * scale - 0.5, 0.0);
                int lo = Math.min((int) Math.floor(s), in - 1);
                a.i0[d] = lo;
                a.i1[d] = Math.min(lo + 1, in - 1);
                a.frac[d] = (float) (s - lo);
            }
            return a;
        }
    }

    /** {@code row[x] = src[offset + i0[x]] * (1 - fx) + src[offset + i1[x]] * fx} for x in [0, count). */
    private static void horizontal(float[] src, int offset, Axis ax, float[] row, int count) {
        int[] i0 = ax.i0;
        int[] i1 = ax.i1;
        float[] fx = ax.frac;
        for (int x = 0; x < count; x++) {
            row[x] = src[offset + i0[x]] * (1 - fx[x]) + src[offset + i1[x]] * fx[x];
        }
    }

    /** {@code out[offset + x] = top[x] * (1 - wy) + bottom[x] * wy}. */
    private static void blend(float[] top, float[] bottom, float wy, float[] out, int offset, int count) {
        float wt = 1 - wy;
        for (int x = 0; x < count; x++) {
            out[offset + x] = top[x] * wt + bottom[x] * wy;
        }
    }

    /**
     * Two computed rows, by source row index. A miss overwrites the slot that the previous call did not
     * return, so the two rows a blend asks for one after the other are both intact when it runs.
     */
    private static final class RowCache {
        interface Filler {
            void fill(int sourceRow, float[] row);
        }

        private final Filler filler;
        private final float[][] rows;
        private final int[] keys = {-1, -1};
        private int lastReturned = 1;

        RowCache(int width, Filler filler) {
            this.filler = filler;
            this.rows = new float[][] {new float[width], new float[width]};
        }

        float[] get(int r) {
            int slot;
            if (keys[0] == r) {
                slot = 0;
            } else if (keys[1] == r) {
                slot = 1;
            } else {
                slot = 1 - lastReturned;
                keys[slot] = -1;
                filler.fill(r, rows[slot]);
                keys[slot] = r;
            }
            lastReturned = slot;
            return rows[slot];
        }
    }
}
