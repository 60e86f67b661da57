package io.pseudolabel.image;

import java.util.Arrays;

/**
 * Resizing of 8-bit RGB images that reproduces Pillow's {@code Image.resize(size, resample)} (with the
 * default {@code box} and {@code reducing_gap=None}, as HF image processors call it) bit for bit.
 *
 * <p>Pillow's algorithm ({@code libImaging/Resample.c}), reproduced here:
 * <ul>
 *   <li>a separable convolution, horizontal pass first, then vertical; a pass whose size does not change
 *       is skipped;</li>
 *   <li>for each output column the filter is centred at {@code (x + 0.5) * scale} in input coordinates,
 *       where {@code scale = in/out}; when downscaling the filter support is widened by {@code scale}
 *       (antialiasing), i.e. the kernel is evaluated at {@code (i - centre + 0.5) / max(scale, 1)};</li>
 *   <li>the window is {@code [int(centre - support + 0.5), int(centre + support + 0.5))} clipped to the
 *       image, the weights are normalised to sum 1 in double precision and then converted to fixed point
 *       with 22 fractional bits, rounding half away from zero;</li>
 *   <li>each pass accumulates {@code 2^21 + sum(pixel * weight)} in 32-bit ints and clips
 *       {@code acc >> 22} to 0..255, so the intermediate image is 8-bit.</li>
 * </ul>
 * Instances are immutable; coefficient tables are computed per call (they are small: out x taps).
 */
public final class Resampler {

    /** Pillow's resampling filters that the reference processors use. */
    public enum Filter {
        /** {@code PIL.Image.BILINEAR} (2): triangle filter, support 1. */
        BILINEAR(1.0),
        /** {@code PIL.Image.BICUBIC} (3): cubic convolution with a = -0.5, support 2. */
        BICUBIC(2.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            if (x < 0.0) {
                x = -x;
            }
            if (this == BILINEAR) {
                return x < 1.0 ? 1.0 - x : 0.0;
            }
            final double a = -0.5;
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
        }

        /** The filter for PIL's integer {@code resample} code (2 bilinear, 3 bicubic). */
        public static Filter fromPilCode(int code) {
            switch (code) {
                case 2:
                    return BILINEAR;
                case 3:
                    return BICUBIC;
                default:
                    throw new IllegalArgumentException(
                            "unsupported PIL resample code " + code + " (2 = bilinear and 3 = bicubic are supported)");
            }
        }
    }

    static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private Resampler() {
    }

    /** Resizes {@code src} to {@code width x height} exactly as Pillow's {@code Image.resize} does. */
    public static RgbImage resize(RgbImage src, int width, int height, Filter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + width + "x" + height);
        }
        // Both passes' images are 8-bit RGB in one array: width x height x 3 (and the intermediate
        // width x src.height x 3) must fit an int, or the allocation fails with a negative size.
        if (3L * width * Math.max(height, src.height()) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("resizing a " + src.width() + "x" + src.height() + " image to " + width
                    + "x" + height + " needs more than 2 GB of pixels");
        }
        if (width == src.width() && height == src.height()) {
            return new RgbImage(width, height, src.rgb().clone());
        }
        byte[] pixels = src.rgb();
        int curW = src.width();
        int curH = src.height();
        if (width != curW) {
            Coefficients c = Coefficients.compute(curW, width, filter);
            pixels = horizontal(pixels, curW, curH, c);
            curW = width;
        }
        if (height != curH) {
            Coefficients c = Coefficients.compute(curH, height, filter);
            pixels = vertical(pixels, curW, c);
            curH = height;
        }
        return new RgbImage(curW, curH, pixels);
    }

    /**
     * Bilinear resizing WITHOUT antialiasing, as OpenCV's {@code cv2.resize(img, (w, h))} ({@code INTER_LINEAR})
     * computes it for 8-bit images, bit for bit (checked against OpenCV 4.6): each output pixel reads the two
     * nearest source pixels per axis at {@code (d + 0.5) * in / out - 0.5} (half-pixel centres), whatever the
     * scale, so a downscale skips pixels where Pillow's {@link #resize} averages them. OpenCV's fixed point:
     * <ul>
     *   <li>weights {@code round((1 - f) * 2048)} and {@code round(f * 2048)} from the float32 fraction {@code f}
     *       (rounded half to even); along x the position is clamped to the first and last pixel, along y only
     *       the rows are (a row above the image reads row 0 with both weights);</li>
     *   <li>a row is {@code S = a * w0 + b * w1} in ints; a pixel is
     *       {@code ((((S0 >> 4) * b0) >> 16) + (((S1 >> 4) * b1) >> 16) + 2) >> 2}, clipped to 0..255: the
     *       arithmetic of its vectorised vertical pass, which covers whole rows when they are a multiple of 16 bytes
     *       wide (SAM 2.1's 1024 x 3 is; a narrower row's last few pixels take its scalar pass in OpenCV and may
     *       differ there by one level).</li>
     * </ul>
     */
    public static RgbImage resizeLinear(RgbImage src, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + width + "x" + height);
        }
        int sw = src.width();
        byte[] in = src.rgb();
        CvAxis ax = CvAxis.of(sw, width, true);
        CvAxis ay = CvAxis.of(src.height(), height, false);
        int rowLen = width * 3;
        // horizontally resized source rows (>> 4 already), two at a time: output rows ask in non-decreasing order
        int[][] rows = {new int[rowLen], new int[rowLen]};
        int[] keys = {-1, -1};
        byte[] out = new byte[height * rowLen];
        for (int y = 0; y < height; y++) {
            int[] top = linearRow(in, sw, ay.i0[y], ax, rows, keys, ay.i1[y]);
            int[] bottom = linearRow(in, sw, ay.i1[y], ax, rows, keys, ay.i0[y]);
            int b0 = ay.w0[y];
            int b1 = ay.w1[y];
            int o = y * rowLen;
            for (int i = 0; i < rowLen; i++) {
                int v = (((top[i] * b0) >> 16) + ((bottom[i] * b1) >> 16) + 2) >> 2;
                out[o + i] = (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
            }
        }
        return new RgbImage(width, height, out);
    }

    /** Source row {@code r} resized horizontally ({@code S >> 4}), from the two-slot cache; {@code keep}'s slot stays. */
    private static int[] linearRow(byte[] in, int sw, int r, CvAxis ax, int[][] rows, int[] keys, int keep) {
        for (int s = 0; s < 2; s++) {
            if (keys[s] == r) {
                return rows[s];
            }
        }
        int slot = keys[0] == keep ? 1 : 0;
        int[] row = rows[slot];
        int base = r * sw * 3;
        int[] i0 = ax.i0;
        int[] i1 = ax.i1;
        int[] w0 = ax.w0;
        int[] w1 = ax.w1;
        for (int x = 0, o = 0; x < i0.length; x++, o += 3) {
            int a = base + i0[x] * 3;
            int b = base + i1[x] * 3;
            int p = w0[x];
            int q = w1[x];
            row[o] = ((in[a] & 0xff) * p + (in[b] & 0xff) * q) >> 4;
            row[o + 1] = ((in[a + 1] & 0xff) * p + (in[b + 1] & 0xff) * q) >> 4;
            row[o + 2] = ((in[a + 2] & 0xff) * p + (in[b + 2] & 0xff) * q) >> 4;
        }
        keys[slot] = r;
        return row;
    }

    /** OpenCV's INTER_LINEAR source indices and 11-bit weights along one axis. */
    private static final class CvAxis {
        final int[] i0;
        final int[] i1;
        final int[] w0;
        final int[] w1;

        private CvAxis(int n) {
            i0 = new int[n];
            i1 = new int[n];
            w0 = new int[n];
            w1 = new int[n];
        }

        /** @param clampPosition x: a position outside the image moves to its edge pixel; y: only the rows are clamped */
        static CvAxis of(int in, int out, boolean clampPosition) {
            CvAxis a = new CvAxis(out);
            double scale = 1.0 / ((double) out / in);
            for (int d = 0; d < out; d++) {
                float f = (float) ((d + 0.5) * scale - 0.5);
                int s = (int) Math.floor(f);
                f -= s;
                if (clampPosition) {
                    if (s < 0) {
                        f = 0;
                        s = 0;
                    }
                    if (s >= in - 1) {
                        f = 0;
                        s = in - 1;
                    }
                }
                a.w0[d] = (int) Math.rint((1f - f) * 2048f);
                a.w1[d] = (int) Math.rint(f * 2048f);
                a.i0[d] = Math.min(Math.max(s, 0), in - 1);
                a.i1[d] = Math.min(Math.max(s + 1, 0), in - 1);
            }
            return a;
        }
    }

    /** Per output index: first input index, tap count and fixed-point weights (row-major, ksize each). */
    static final class Coefficients {
        final int ksize;
        final int[] start;
        final int[] count;
        final int[] weights;

        private Coefficients(int ksize, int[] start, int[] count, int[] weights) {
            this.ksize = ksize;
            this.start = start;
            this.count = count;
            this.weights = weights;
        }

        static Coefficients compute(int inSize, int outSize, Filter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * ksize];
            double[] k = new double[ksize];
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = filter.weight((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                int base = xx * ksize;
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? k[x] / ww : k[x];
                    double f = v * (1 << PRECISION_BITS);
                    weights[base + x] = (int) (v < 0 ? -0.5 + f : 0.5 + f);
                }
                start[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(ksize, start, count, weights);
        }
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    // Both passes special-case two taps (every output pixel of a bilinear upscale, the SAM and Grounding-DINO
    // resizes): the same integer sum, unrolled. Integer addition is exact, so the order of the terms does not
    // change the result.

    private static byte[] horizontal(byte[] in, int inW, int h, Coefficients c) {
        int outW = c.start.length;
        int ksize = c.ksize;
        int[] start = c.start;
        int[] count = c.count;
        int[] wts = c.weights;
        byte[] out = new byte[outW * h * 3];
        for (int y = 0; y < h; y++) {
            int rowIn = y * inW * 3;
            int o = y * outW * 3;
            for (int xx = 0; xx < outW; xx++, o += 3) {
                int kb = xx * ksize;
                int n = count[xx];
                int p = rowIn + start[xx] * 3;
                int s0 = HALF;
                int s1 = HALF;
                int s2 = HALF;
                if (n == 2) {
                    int w0 = wts[kb];
                    int w1 = wts[kb + 1];
                    s0 += (in[p] & 0xff) * w0 + (in[p + 3] & 0xff) * w1;
                    s1 += (in[p + 1] & 0xff) * w0 + (in[p + 4] & 0xff) * w1;
                    s2 += (in[p + 2] & 0xff) * w0 + (in[p + 5] & 0xff) * w1;
                } else {
                    for (int x = 0; x < n; x++, p += 3) {
                        int w = wts[kb + x];
                        s0 += (in[p] & 0xff) * w;
                        s1 += (in[p + 1] & 0xff) * w;
                        s2 += (in[p + 2] & 0xff) * w;
                    }
                }
                out[o] = (byte) clip8(s0);
                out[o + 1] = (byte) clip8(s1);
                out[o + 2] = (byte) clip8(s2);
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] in, int w, Coefficients c) {
        int outH = c.start.length;
        int rowLen = w * 3;
        int ksize = c.ksize;
        byte[] out = new byte[outH * rowLen];
        int[] wts = c.weights;
        int[] acc = null;
        for (int yy = 0; yy < outH; yy++) {
            int kb = yy * ksize;
            int n = c.count[yy];
            int first = c.start[yy];
            int o = yy * rowLen;
            if (n == 2) {
                int w0 = wts[kb];
                int w1 = wts[kb + 1];
                int p0 = first * rowLen;
                int p1 = p0 + rowLen;
                for (int i = 0; i < rowLen; i++) {
                    out[o + i] = (byte) clip8(HALF + (in[p0 + i] & 0xff) * w0 + (in[p1 + i] & 0xff) * w1);
                }
                continue;
            }
            if (acc == null) {
                acc = new int[rowLen];
            }
            Arrays.fill(acc, HALF);
            for (int y = 0; y < n; y++) {
                int wgt = wts[kb + y];
                int p = (first + y) * rowLen;
                for (int i = 0; i < rowLen; i++) {
                    acc[i] += (in[p + i] & 0xff) * wgt;
                }
            }
            for (int i = 0; i < rowLen; i++) {
                out[o + i] = (byte) clip8(acc[i]);
            }
        }
        return out;
    }
}
