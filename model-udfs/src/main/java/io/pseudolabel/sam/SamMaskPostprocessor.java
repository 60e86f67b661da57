package io.pseudolabel.sam;

/**
 * SAM's mask post-processing on plain arrays, as HF {@code _post_process_masks_pt} and the official
 * decoder do it: bilinear (align_corners=False) from 256x256 logits to the 1024 frame, crop to the
 * resized image, bilinear to the original size. Thresholding is the caller's.
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

    public static float[] bilinear(float[] src, int sw, int sh, int dw, int dh) {
        return bilinear(src, sw, sh, dw, dh, dw, dh);
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

    /** 256x256 low-res logits over the padded 1024 frame → logits at the original image size. */
    public static float[] toOriginal(float[] lowRes, int resizedW, int resizedH, int width, int height) {
        float[] frame = bilinear(lowRes, LOW_RES, LOW_RES, FRAME, FRAME, resizedW, resizedH);
        return bilinear(frame, resizedW, resizedH, width, height);
    }
}
