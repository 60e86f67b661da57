package io.pseudolabel.image;

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
            java.util.Arrays.fill(acc, HALF);
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
