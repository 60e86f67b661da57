package io.pseudolabel.masks;

import io.pseudolabel.geom.Box;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BitMaskTest {

    /** Builds a mask from rows of '#' (on) and '.' (off). */
    static BitMask parse(String... rows) {
        BitMask m = new BitMask(rows[0].length(), rows.length);
        for (int y = 0; y < rows.length; y++) {
            for (int x = 0; x < rows[y].length(); x++) {
                if (rows[y].charAt(x) == '#') {
                    m.set(x, y);
                }
            }
        }
        return m;
    }

    @Test
    void setGetAndArea() {
        BitMask m = new BitMask(5, 3);
        m.set(0, 0);
        m.set(4, 2);
        m.set(2, 1);
        m.set(2, 1, false);
        assertTrue(m.get(0, 0));
        assertTrue(m.get(4, 2));
        assertFalse(m.get(2, 1));
        assertEquals(2, m.area());
        assertThrows(IndexOutOfBoundsException.class, () -> m.get(5, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> m.set(0, -1));
    }

    @Test
    void masksLargerThanOneWordAddressEveryBit() {
        // 13x11 = 143 pixels span three longs; set the last pixel and one on each word boundary.
        BitMask m = new BitMask(13, 11);
        m.set(12, 10); // bit 142
        m.set(11, 4); // bit 63
        m.set(12, 4); // bit 64
        assertEquals(3, m.area());
        assertEquals(Optional.of(new Box(11, 4, 13, 11)), m.bounds());
    }

    @Test
    void boundsArePixelEdges() {
        BitMask m = parse(
                ".....",
                "..#..",
                "..##.",
                ".....");
        assertEquals(Optional.of(new Box(2, 1, 4, 3)), m.bounds());
        assertEquals(Optional.empty(), new BitMask(4, 4).bounds());
    }

    @Test
    void fromLogitsIsStrictlyAboveThresholdRowMajor() {
        float[] logits = {-1f, 0f, 0.5f, Float.NaN, 2f, 0f};
        BitMask m = BitMask.fromLogits(logits, 3, 2, 0f);
        // row 0: -1, 0, 0.5 -> only x=2; row 1: NaN, 2, 0 -> only x=1
        assertEquals(parse("..#", ".#."), m);
        assertThrows(IllegalArgumentException.class, () -> BitMask.fromLogits(logits, 2, 2, 0f));
    }

    @Test
    void fromClassMapPicksOneId() {
        byte[] map = {0, 3, 3, (byte) 255, 3, 0};
        assertEquals(parse(".##", ".#."), BitMask.fromClassMap(map, 3, 2, 3));
        assertEquals(parse("...", "..."), BitMask.fromClassMap(map, 3, 2, 7));
        assertEquals(parse("...", "#.."), BitMask.fromClassMap(map, 3, 2, 255));
    }

    @Test
    void setOperations() {
        BitMask a = parse("##..", "##..");
        BitMask b = parse(".##.", ".##.");
        assertEquals(parse(".#..", ".#.."), a.and(b));
        assertEquals(parse("###.", "###."), a.or(b));
        assertEquals(parse("#...", "#..."), a.andNot(b));
        assertThrows(IllegalArgumentException.class, () -> a.and(new BitMask(4, 3)));
    }

    @Test
    void clipKeepsPixelsWhoseCentreIsInsideHalfOpen() {
        BitMask full = parse(
                "#####",
                "#####",
                "#####");
        // Box x 0.6..3.5: centres 0.5 (out), 1.5, 2.5 (in), 3.5 (out: right edge is open), y 0.5..2.0: row 0
        // centre 0.5 in, row 1 centre 1.5 in, row 2 centre 2.5 out.
        assertEquals(parse(
                ".##..",
                ".##..",
                "....."), full.clipTo(new Box(0.6f, 0.5f, 3.5f, 2.0f)));
        // An integer box keeps exactly its own pixels.
        assertEquals(parse(
                ".....",
                "..##.",
                "....."), full.clipTo(new Box(2, 1, 4, 2)));
        // A box larger than the image keeps everything; one outside keeps nothing.
        assertEquals(full, full.clipTo(new Box(-10, -10, 100, 100)));
        assertEquals(15, full.area());
        assertTrue(full.clipTo(new Box(6, 0, 9, 3)).isEmpty());
    }

    @Test
    void ofBoxFillsExactlyTheBoxPixels() {
        BitMask m = BitMask.ofBox(9, 9, new Box(1, 2, 9, 9));
        assertEquals(8 * 7, m.area());
        assertEquals(Optional.of(new Box(1, 2, 9, 9)), m.bounds());
        // 8x8 = 64 pixels: filling a whole word must not spill.
        assertEquals(64, BitMask.ofBox(8, 8, new Box(0, 0, 8, 8)).area());
    }

    @Test
    void equalsComparesSizeAndPixels() {
        BitMask a = parse("#.", ".#");
        BitMask b = parse("#.", ".#");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, parse("#.", "##"));
        assertNotEquals(new BitMask(2, 3), new BitMask(3, 2));
        BitMask c = a.copy();
        c.set(1, 0);
        assertNotEquals(a, c);
        assertArrayEquals(new byte[] {1, 0, 0, 1}, a.toBytes());
    }
}
