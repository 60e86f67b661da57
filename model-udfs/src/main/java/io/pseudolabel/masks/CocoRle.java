package io.pseudolabel.masks;

import java.util.Arrays;

/**
 * COCO run-length encoding, byte-compatible with pycocotools ({@code mask.encode} / {@code decode}).
 *
 * <p>Pixels are read in column-major (Fortran) order: down column 0, then down column 1, and so on. The
 * runs alternate off/on and always start with an off run, which is 0 when pixel (0,0) is on. The
 * compressed string is pycocotools' {@code rleToString}: each count (for i &gt; 2, the difference to the
 * count two places back, which is usually small) is written as signed 5-bit groups, least significant
 * first; a group's 0x20 bit says another group follows; each group is offset by 48 to a printable char.
 */
public final class CocoRle {

    /** An RLE as COCO stores it: {@code {"size": [height, width], "counts": "..."}}. */
    public record Rle(int height, int width, String counts) {
        public Rle {
            if (height < 0 || width < 0) {
                throw new IllegalArgumentException("RLE size must not be negative: " + height + "x" + width);
            }
            if (counts == null) {
                throw new IllegalArgumentException("RLE counts must not be null");
            }
        }
    }

    private CocoRle() {}

    public static Rle encode(BitMask mask) {
        return new Rle(mask.height(), mask.width(), compress(encodeCounts(mask)));
    }

    public static BitMask decode(Rle rle) {
        return decodeCounts(decompress(rle.counts()), rle.height(), rle.width());
    }

    /** The uncompressed runs, exactly as pycocotools' {@code rleEncode} makes them (last run always written). */
    public static int[] encodeCounts(BitMask mask) {
        int h = mask.height();
        int w = mask.width();
        int[] b = mask.boundsArray();
        if (b == null) {
            return new int[] {h * w};
        }
        // Only the pixels inside the mask's bounding box are read; everything outside it is off, so it
        // just lengthens the current off run (what the pixel-by-pixel walk would do, one pixel at a time).
        int minX = b[0], minY = b[1], endX = b[2], endY = b[3];
        int[] counts = new int[(endX - minX) * (endY - minY + 2) + 3];
        int k = 0;
        int run = minX * h; // the columns left of the box, all off
        boolean current = false;
        for (int x = minX; x < endX; x++) {
            if (minY > 0) { // rows above the box in this column
                if (current) {
                    counts[k++] = run;
                    run = 0;
                    current = false;
                }
                run += minY;
            }
            for (int y = minY; y < endY; y++) {
                boolean on = mask.getIndex(y * w + x);
                if (on != current) {
                    counts[k++] = run;
                    run = 0;
                    current = on;
                }
                run++;
            }
            int below = h - endY;
            if (below > 0) {
                if (current) {
                    counts[k++] = run;
                    run = 0;
                    current = false;
                }
                run += below;
            }
        }
        int right = (w - endX) * h;
        if (right > 0) {
            if (current) {
                counts[k++] = run;
                run = 0;
            }
            run += right;
        }
        counts[k++] = run;
        return Arrays.copyOf(counts, k);
    }

    /**
     * A mask from uncompressed runs. Like pycocotools it accepts zero-length runs anywhere, but the runs
     * must cover the mask exactly, so a truncated or foreign RLE fails loudly instead of decoding wrong.
     */
    public static BitMask decodeCounts(int[] counts, int height, int width) {
        long total = 0;
        for (int c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("RLE run must not be negative: " + c);
            }
            total += c;
        }
        long expected = (long) height * width;
        if (total != expected) {
            throw new IllegalArgumentException(
                    "RLE runs cover " + total + " pixels, " + height + "x" + width + " = " + expected + " expected");
        }
        BitMask mask = new BitMask(width, height);
        int pos = 0; // column-major position
        for (int i = 0; i < counts.length; i++) {
            if ((i & 1) == 1) {
                for (int p = pos; p < pos + counts[i]; p++) {
                    int x = p / height;
                    int y = p - x * height;
                    mask.setIndex(y * width + x);
                }
            }
            pos += counts[i];
        }
        return mask;
    }

    /** pycocotools' {@code rleToString}. */
    public static String compress(int[] counts) {
        StringBuilder s = new StringBuilder(counts.length * 2);
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                int c = (int) (x & 0x1f);
                x >>= 5; // arithmetic shift: negative deltas end at -1, positive at 0
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /** pycocotools' {@code rleFrString}, with errors for characters and counts it could never produce. */
    public static int[] decompress(String s) {
        int[] counts = new int[s.length()];
        int m = 0;
        int p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= s.length()) {
                    throw new IllegalArgumentException("RLE string ends inside a count: \"" + s + "\"");
                }
                int c = s.charAt(p) - 48;
                if (c < 0 || c > 63) {
                    throw new IllegalArgumentException(
                            "RLE string has a character outside '0'..'o' at " + p + ": \"" + s + "\"");
                }
                if (k > 12) {
                    throw new IllegalArgumentException("RLE count too long at " + p + ": \"" + s + "\"");
                }
                x |= (long) (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k); // sign-extend the last group
                }
            }
            if (m > 2) {
                x += counts[m - 2];
            }
            if (x < 0 || x > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("RLE count " + x + " out of range at index " + m);
            }
            counts[m++] = (int) x;
        }
        return Arrays.copyOf(counts, m);
    }
}
