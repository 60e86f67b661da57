package io.pseudolabel.image;

/**
 * HF's {@code rescale} then {@code normalize} on 8-bit pixels, in numpy's float arithmetic:
 * {@code x = float32(float64(v) * rescale)}, then {@code (x - float32(mean)) / float32(std)} in float32.
 * Output is CHW float32.
 */
final class PixelNormalizer {
    final boolean doRescale;
    final double rescale;
    final boolean doNormalize;
    final float[] mean;
    final float[] std;
    /** value[c][v]: the output for channel c and 8-bit value v (256 entries; exact, no per-pixel maths). */
    private final float[][] table = new float[3][256];

    PixelNormalizer(boolean doRescale, double rescale, boolean doNormalize, float[] mean, float[] std) {
        this.doRescale = doRescale;
        this.rescale = rescale;
        this.doNormalize = doNormalize;
        this.mean = mean.clone();
        this.std = std.clone();
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float x = doRescale ? (float) (v * rescale) : (float) v;
                table[c][v] = doNormalize ? (x - mean[c]) / std[c] : x;
            }
        }
    }

    float value(int channel, int v) {
        return table[channel][v];
    }

    /**
     * Writes {@code img}'s window {@code [x0, x0+w) x [y0, y0+h)} into a CHW canvas {@code outW x outH} at its
     * top-left. Window pixels outside the image count as pixel value 0 (HF center_crop's zero padding,
     * before rescaling); canvas cells outside the window stay as they are (0.0: padding after normalising).
     */
    void writeChw(RgbImage img, int x0, int y0, int w, int h, float[] out, int outW, int outH) {
        int plane = outW * outH;
        byte[] rgb = img.rgb();
        int iw = img.width();
        int ih = img.height();
        float[] t0 = table[0];
        float[] t1 = table[1];
        float[] t2 = table[2];
        // the columns of the window that fall inside the image: [inX0, inX1)
        int inX0 = Math.min(w, Math.max(0, -x0));
        int inX1 = Math.max(inX0, Math.min(w, iw - x0));
        for (int y = 0; y < h; y++) {
            int sy = y0 + y;
            int row = y * outW;
            if (sy < 0 || sy >= ih) {
                for (int x = 0; x < w; x++) {
                    outside(out, row + x, plane);
                }
                continue;
            }
            for (int x = 0; x < inX0; x++) {
                outside(out, row + x, plane);
            }
            int p = (sy * iw + x0 + inX0) * 3;
            for (int x = inX0; x < inX1; x++, p += 3) {
                int o = row + x;
                out[o] = t0[rgb[p] & 0xff];
                out[plane + o] = t1[rgb[p + 1] & 0xff];
                out[2 * plane + o] = t2[rgb[p + 2] & 0xff];
            }
            for (int x = inX1; x < w; x++) {
                outside(out, row + x, plane);
            }
        }
    }

    /** A window pixel outside the image: pixel value 0 in every channel. */
    private void outside(float[] out, int o, int plane) {
        out[o] = table[0][0];
        out[plane + o] = table[1][0];
        out[2 * plane + o] = table[2][0];
    }
}
