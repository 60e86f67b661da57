package io.pseudolabel.masks;

import java.util.Arrays;

/**
 * A semantic map: one class id per pixel, row-major; 0 background, 1..C classes, 255 ignore (VOC's
 * convention). Ids are unsigned: read them with {@link #get} or {@code & 0xff}.
 */
public record ClassMap(int width, int height, byte[] ids) {

    public static final int BACKGROUND = 0;
    public static final int IGNORE = 255;

    public ClassMap {
        if (width < 0 || height < 0 || (long) width * height != ids.length) {
            throw new IllegalArgumentException(
                    "class map holds " + ids.length + " ids, " + width + "x" + height + " expected");
        }
    }

    /** An all-background map. */
    public ClassMap(int width, int height) {
        this(width, height, new byte[width * height]);
    }

    public int get(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IndexOutOfBoundsException("pixel (" + x + "," + y + ") outside " + width + "x" + height);
        }
        return ids[y * width + x] & 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassMap m && m.width == width && m.height == height && Arrays.equals(m.ids, ids);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "ClassMap[" + width + "x" + height + "]";
    }
}
