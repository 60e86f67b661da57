package io.pseudolabel.job.eval;

import java.util.Arrays;

/**
 * COCO polygon rasterisation, pixel for pixel what pycocotools' {@code rleFrPoly} (maskApi.c) produces,
 * which is what {@code COCO.annToMask} and every COCO-trained model's ground truth use.
 *
 * <p>The algorithm, in integers as the C code does it:
 * <ol>
 * <li>Scale each vertex by 5 and round ({@code (int)(5v + 0.5)}, truncating toward zero), close the ring.</li>
 * <li>Walk every edge one step per unit of its longer axis, rounding the other coordinate, so the outline is
 *     a dense chain of points on the 5x grid.</li>
 * <li>Wherever the chain moves to another column, if the column boundary sits on a pixel centre
 *     ({@code x = 5n + 2} on the 5x grid, i.e. pixel column n) and inside the image, record the crossing
 *     at row {@code ceil((min(v) + 0.5)/5 - 0.5)} clamped to [0, h].</li>
 * <li>Every crossing toggles the mask on or off in column-major order: sort the positions
 *     {@code x*h + y}, take differences, and fold away zero-length runs (two crossings at one position
 *     cancel).</li>
 * </ol>
 * C's {@code (int)} of NaN or an out-of-range double is x86's "integer indefinite" (INT_MIN); {@link #cInt}
 * does the same so degenerate edges behave alike.
 */
public final class CocoPolygon {
    private static final double SCALE = 5;

    private CocoPolygon() {}

    /**
     * The uncompressed COCO runs (column-major, starting with an off run) of one polygon
     * {@code [x0, y0, x1, y1, ...]} in an {@code h x w} image.
     */
    // byte-level pycocotools polygon rasteriser, one pass; exempt from the 60-line method check
    @SuppressWarnings("checkstyle:MethodLength")
    public static int[] counts(double[] xy, int h, int w) {
        if (h < 0 || w < 0) {
            throw new IllegalArgumentException("image size must not be negative: " + h + "x" + w);
        }
        int k = xy.length / 2;
        if (k == 0) {
            return new int[] {h * w};
        }
        int[] x = new int[k + 1];
        int[] y = new int[k + 1];
        for (int j = 0; j < k; j++) {
            x[j] = cInt(SCALE * xy[2 * j] + .5);
            y[j] = cInt(SCALE * xy[2 * j + 1] + .5);
        }
        x[k] = x[0];
        y[k] = y[0];

        // 1. dense boundary points on the upsampled grid
        long total = 0;
        for (int j = 0; j < k; j++) {
            total += Math.max(Math.abs(x[j] - x[j + 1]), Math.abs(y[j] - y[j + 1])) + 1L;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("polygon outline too long to rasterise: " + total + " points");
        }
        int[] u = new int[(int) total];
        int[] v = new int[(int) total];
        int m = 0;
        for (int j = 0; j < k; j++) {
            int xs = x[j];
            int xe = x[j + 1];
            int ys = y[j];
            int ye = y[j + 1];
            int dx = Math.abs(xe - xs);
            int dy = Math.abs(ys - ye);
            boolean flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) {
                int t = xs;
                xs = xe;
                xe = t;
                t = ys;
                ys = ye;
                ye = t;
            }
            if (dx >= dy) {
                double s = (double) (ye - ys) / dx; // NaN for a zero-length edge, as in C
                for (int d = 0; d <= dx; d++) {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs;
                    v[m] = cInt(ys + s * t + .5);
                    m++;
                }
            } else {
                double s = (double) (xe - xs) / dy;
                for (int d = 0; d <= dy; d++) {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys;
                    u[m] = cInt(xs + s * t + .5);
                    m++;
                }
            }
        }

        // 2. crossings of pixel-centre columns, downsampled back to pixels
        long[] pos = new long[m + 1];
        int n = 0;
        for (int j = 1; j < m; j++) {
            if (u[j] == u[j - 1]) {
                continue;
            }
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / SCALE - .5;
            if (Math.floor(xd) != xd || xd < 0 || xd > w - 1) {
                continue;
            }
            double yd = Math.min(v[j], v[j - 1]);
            yd = (yd + .5) / SCALE - .5;
            if (yd < 0) {
                yd = 0;
            } else if (yd > h) {
                yd = h;
            }
            yd = Math.ceil(yd);
            // C stores x*h+y in an unsigned int; in-image values never exceed h*w
            pos[n++] = (long) xd * h + (long) yd;
        }

        // 3. toggles to runs
        pos[n++] = (long) h * w;
        long[] a = Arrays.copyOf(pos, n);
        Arrays.sort(a);
        long prev = 0;
        for (int j = 0; j < n; j++) {
            long t = a[j];
            a[j] -= prev;
            prev = t;
        }
        int[] runs = new int[n];
        int r = 0;
        int j = 0;
        runs[r++] = (int) a[j++];
        while (j < n) {
            if (a[j] > 0) {
                runs[r++] = (int) a[j++];
            } else {
                j++;
                if (j < n) {
                    runs[r - 1] += (int) a[j++];
                }
            }
        }
        return Arrays.copyOf(runs, r);
    }

    /** C's {@code (int)} cast of a double on x86: truncation, and INT_MIN for NaN or out of range. */
    static int cInt(double d) {
        if (Double.isNaN(d) || d >= 2147483648.0 || d <= -2147483649.0) {
            return Integer.MIN_VALUE;
        }
        return (int) d;
    }

    /**
     * Sets {@code value} on every "on" pixel of column-major {@code runs} in a row-major {@code ids} map of
     * {@code h x w}.
     *
     * @throws IllegalArgumentException if the runs do not cover exactly {@code h*w} pixels
     */
    public static void paint(byte[] ids, int h, int w, int[] runs, byte value) {
        long sum = 0;
        for (int c : runs) {
            if (c < 0) {
                throw new IllegalArgumentException("RLE run must not be negative: " + c);
            }
            sum += c;
        }
        if (sum != (long) h * w) {
            throw new IllegalArgumentException("RLE runs cover " + sum + " pixels, " + h + "x" + w + " = "
                    + (long) h * w + " expected");
        }
        long p = 0;
        for (int i = 0; i < runs.length; i++) {
            if ((i & 1) == 1) {
                for (long q = p; q < p + runs[i]; q++) {
                    int col = (int) (q / h);
                    int row = (int) (q - (long) col * h);
                    ids[row * w + col] = value;
                }
            }
            p += runs[i];
        }
    }
}
