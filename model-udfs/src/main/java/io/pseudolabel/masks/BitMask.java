package io.pseudolabel.masks;

import io.pseudolabel.geom.Box;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * A binary mask of {@code width x height} pixels, one bit each, row-major (bit {@code y*width+x}).
 * Mutable only through {@link #set}; the set operations return new masks. Bits past the last pixel are
 * always zero, so {@link #equals} can compare the words directly.
 */
public final class BitMask {

    private final int width;
    private final int height;
    private final long[] words;

    /** An all-zero mask. */
    public BitMask(int width, int height) {
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("mask size must not be negative: " + width + "x" + height);
        }
        if ((long) width * height > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("mask too large: " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.words = new long[(width * height + 63) >>> 6];
    }

    private BitMask(int width, int height, long[] words) {
        this.width = width;
        this.height = height;
        this.words = words;
    }

    /** Pixels whose logit is strictly greater than {@code threshold}; {@code logits} is row-major. NaN is off. */
    public static BitMask fromLogits(float[] logits, int width, int height, float threshold) {
        requireLength(logits.length, width, height);
        BitMask m = new BitMask(width, height);
        int n = logits.length;
        for (int wi = 0; wi < m.words.length; wi++) {
            int base = wi << 6;
            int end = Math.min(64, n - base);
            long bits = 0;
            for (int b = 0; b < end; b++) {
                bits |= (logits[base + b] > threshold ? 1L : 0L) << b;
            }
            m.words[wi] = bits;
        }
        return m;
    }

    /** Pixels of a row-major class map equal to {@code classId} (0..255). */
    public static BitMask fromClassMap(byte[] classMap, int width, int height, int classId) {
        requireLength(classMap.length, width, height);
        BitMask m = new BitMask(width, height);
        for (int i = 0; i < classMap.length; i++) {
            if ((classMap[i] & 0xff) == classId) {
                m.words[i >>> 6] |= 1L << i;
            }
        }
        return m;
    }

    /** Pixels whose centre lies in {@code box} (see {@link #clipTo}). */
    public static BitMask ofBox(int width, int height, Box box) {
        BitMask full = new BitMask(width, height);
        full.fill();
        return full.clipTo(box);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean get(int x, int y) {
        int i = index(x, y);
        return (words[i >>> 6] & (1L << i)) != 0;
    }

    public void set(int x, int y) {
        set(x, y, true);
    }

    public void set(int x, int y, boolean on) {
        int i = index(x, y);
        if (on) {
            words[i >>> 6] |= 1L << i;
        } else {
            words[i >>> 6] &= ~(1L << i);
        }
    }

    /** Bit {@code i} in row-major order; the RLE codec walks masks this way. */
    boolean getIndex(int i) {
        return (words[i >>> 6] & (1L << i)) != 0;
    }

    void setIndex(int i) {
        words[i >>> 6] |= 1L << i;
    }

    /** Number of pixels that are on. */
    public int area() {
        int n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        return n;
    }

    public boolean isEmpty() {
        for (long w : words) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    /** The tightest pixel-edge box around the on pixels (x2 = last column + 1); empty when no pixel is on. */
    public Optional<Box> bounds() {
        int[] b = boundsArray();
        return b == null ? Optional.empty() : Optional.of(new Box(b[0], b[1], b[2], b[3]));
    }

    /** {minX, minY, maxX + 1, maxY + 1} of the on pixels, or null; a word at a time, rows via their bit ranges. */
    int[] boundsArray() {
        int first = nextSetBit(0, width * height);
        if (first < 0) {
            return null;
        }
        int last = previousSetBit(width * height - 1, 0);
        int minY = first / width;
        int maxY = last / width;
        int minX = width;
        int maxX = -1;
        for (int y = minY; y <= maxY; y++) {
            int row = y * width;
            int f = nextSetBit(row, row + width);
            if (f >= 0) {
                minX = Math.min(minX, f - row);
                maxX = Math.max(maxX, previousSetBit(row + width - 1, row) - row);
            }
        }
        return new int[] {minX, minY, maxX + 1, maxY + 1};
    }

    /** The first on bit in {@code [from, to)}, or -1. */
    int nextSetBit(int from, int to) {
        if (from >= to) {
            return -1;
        }
        int wi = from >>> 6;
        long word = words[wi] & (-1L << from);
        while (true) {
            if (word != 0) {
                int bit = (wi << 6) + Long.numberOfTrailingZeros(word);
                return bit < to ? bit : -1;
            }
            if (++wi >= words.length || (wi << 6) >= to) {
                return -1;
            }
            word = words[wi];
        }
    }

    /** The last on bit in {@code [downTo, from]}, or -1. */
    int previousSetBit(int from, int downTo) {
        if (from < downTo) {
            return -1;
        }
        int wi = from >>> 6;
        long word = words[wi] & (-1L >>> (63 - (from & 63)));
        while (true) {
            if (word != 0) {
                int bit = (wi << 6) + 63 - Long.numberOfLeadingZeros(word);
                return bit >= downTo ? bit : -1;
            }
            if (--wi < 0 || (wi << 6) + 63 < downTo) {
                return -1;
            }
            word = words[wi];
        }
    }

    /** Calls {@code action} with the row-major index of every on pixel, in increasing order. */
    void forEachSetBit(IntConsumer action) {
        for (int wi = 0; wi < words.length; wi++) {
            long word = words[wi];
            while (word != 0) {
                action.accept((wi << 6) + Long.numberOfTrailingZeros(word));
                word &= word - 1;
            }
        }
    }

    public BitMask and(BitMask other) {
        requireSameSize(other);
        long[] out = new long[words.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = words[i] & other.words[i];
        }
        return new BitMask(width, height, out);
    }

    public BitMask or(BitMask other) {
        requireSameSize(other);
        long[] out = new long[words.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = words[i] | other.words[i];
        }
        return new BitMask(width, height, out);
    }

    /** Pixels on here and off in {@code other}. */
    public BitMask andNot(BitMask other) {
        requireSameSize(other);
        long[] out = new long[words.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = words[i] & ~other.words[i];
        }
        return new BitMask(width, height, out);
    }

    /**
     * Keeps the pixels whose centre (x+0.5, y+0.5) lies in {@code box}, half-open: {@code x1 <= cx < x2}
     * and {@code y1 <= cy < y2}, so two boxes sharing an edge never both keep a pixel.
     */
    public BitMask clipTo(Box box) {
        // Column range with x1 <= x+0.5 < x2, i.e. ceil(x1-0.5) <= x < ceil(x2-0.5); the same for rows.
        int x0 = clampCeil(box.x1() - 0.5, width);
        int x1 = clampCeil(box.x2() - 0.5, width);
        int y0 = clampCeil(box.y1() - 0.5, height);
        int y1 = clampCeil(box.y2() - 0.5, height);
        BitMask out = new BitMask(width, height);
        if (x0 >= x1) {
            return out;
        }
        for (int y = y0; y < y1; y++) {
            int row = y * width;
            copyBits(row + x0, row + x1, out.words);
        }
        return out;
    }

    /** ORs this mask's bits {@code [from, to)} into {@code dst}, a word at a time. */
    private void copyBits(int from, int to, long[] dst) {
        int first = from >>> 6;
        int last = (to - 1) >>> 6;
        for (int wi = first; wi <= last; wi++) {
            long keep = -1L;
            if (wi == first) {
                keep &= -1L << from;
            }
            if (wi == last) {
                keep &= -1L >>> (63 - ((to - 1) & 63));
            }
            dst[wi] |= words[wi] & keep;
        }
    }

    public BitMask copy() {
        return new BitMask(width, height, words.clone());
    }

    /** Row-major 0/1 bytes, handy for tests and for callers that index pixels directly. */
    public byte[] toBytes() {
        byte[] out = new byte[width * height];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (getIndex(i) ? 1 : 0);
        }
        return out;
    }

    private void fill() {
        int n = width * height;
        Arrays.fill(words, -1L);
        if ((n & 63) != 0) {
            words[words.length - 1] = (1L << n) - 1; // keep the bits past the last pixel zero
        }
    }

    private static int clampCeil(double v, int max) {
        if (Double.isNaN(v)) {
            return 0;
        }
        return (int) Math.max(0, Math.min(max, Math.ceil(v)));
    }

    private int index(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IndexOutOfBoundsException("pixel (" + x + "," + y + ") outside " + width + "x" + height);
        }
        return y * width + x;
    }

    private void requireSameSize(BitMask other) {
        if (other.width != width || other.height != height) {
            throw new IllegalArgumentException(
                    "mask sizes differ: " + width + "x" + height + " vs " + other.width + "x" + other.height);
        }
    }

    private static void requireLength(int length, int width, int height) {
        if (width < 0 || height < 0 || (long) width * height != length) {
            throw new IllegalArgumentException(
                    "array holds " + length + " values, " + width + "x" + height + " expected");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BitMask m && m.width == width && m.height == height && Arrays.equals(m.words, words);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "BitMask[" + width + "x" + height + ", area=" + area() + "]";
    }
}
