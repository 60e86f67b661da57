package io.pseudolabel.masks;

import io.pseudolabel.geom.Box;
import io.pseudolabel.masks.CocoRle.Rle;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.pseudolabel.masks.BitMaskTest.parse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CocoRleTest {

    @Test
    void tinyMaskByHand() {
        // #.        column-major read: col 0 = (1,1), col 1 = (0,1) -> 1,1,0,1
        // ##        runs (start with zeros): [0, 2, 1, 1]
        // string: i=0: 0 -> '0'(48); i=1: 2 -> '2'; i=2: 1 -> '1' (no delta before i=3);
        //         i=3: 1 - counts[1] = 1 - 2 = -1 -> low 5 bits 31, rest -1 and sign bit 0x10 set
        //         so it stops: 31 + 48 = 79 'O'.
        BitMask m = parse("#.", "##");
        assertArrayEquals(new int[] {0, 2, 1, 1}, CocoRle.encodeCounts(m));
        assertEquals(new Rle(2, 2, "021O"), CocoRle.encode(m));
        assertEquals(m, CocoRle.decode(new Rle(2, 2, "021O")));
    }

    @Test
    void nonSquareMaskIsColumnMajorWithHeightFirst() {
        // 3 wide, 2 high:  .#.   columns: (0,0) (1,1) (0,1) -> 0,0,1,1,0,1
        //                  .##   runs [2, 2, 1, 1]; i=3 delta 1 - 2 = -1 -> 'O'; string "221O"
        BitMask m = parse(".#.", ".##");
        assertArrayEquals(new int[] {2, 2, 1, 1}, CocoRle.encodeCounts(m));
        assertEquals(new Rle(2, 3, "221O"), CocoRle.encode(m));
        assertEquals(m, CocoRle.decode(new Rle(2, 3, "221O")));
    }

    @Test
    void emptyAndFullMasks() {
        // 4 wide, 3 high = 12 pixels. Empty: one off run [12] -> 12 + 48 = 60 '<'.
        // Full: a zero-length off run, then 12 on: [0, 12] -> "0<".
        BitMask empty = new BitMask(4, 3);
        BitMask full = BitMask.ofBox(4, 3, new Box(0, 0, 4, 3));
        assertEquals(new Rle(3, 4, "<"), CocoRle.encode(empty));
        assertEquals(new Rle(3, 4, "0<"), CocoRle.encode(full));
        assertEquals(empty, CocoRle.decode(new Rle(3, 4, "<")));
        assertEquals(full, CocoRle.decode(new Rle(3, 4, "0<")));
        // A 0x0 mask is the single run [0], as pycocotools writes it.
        assertEquals(new Rle(0, 0, "0"), CocoRle.encode(new BitMask(0, 0)));
    }

    @Test
    void runsOf16AndMoreNeedTwoGroups() {
        // 20: low 5 bits 20 has the sign bit 0x10 set but the rest is 0, not -1, so another group
        // follows: (20|0x20)+48 = 100 'd', then 0 -> '0'.
        // 36 (a full 6x6 mask [0,36]): 36 & 31 = 4, rest 1 -> (4|0x20)+48 = 84 'T', then 1 -> '1'.
        assertEquals("d0", CocoRle.compress(new int[] {20}));
        assertEquals("0T1", CocoRle.compress(new int[] {0, 36}));
        assertArrayEquals(new int[] {0, 36}, CocoRle.decompress("0T1"));
        assertArrayEquals(new int[] {20}, CocoRle.decompress("d0"));
    }

    @Test
    void longRunsAndNegativeDeltasByHand() {
        // 5 wide, 10 high; column-major positions 3..42 and 45..49 on: runs [3, 40, 2, 5].
        // i=0: 3 -> '3'.
        // i=1: 40 = 0b1_01000: group 8 with more -> (8|0x20)+48 = 88 'X'; then 1 -> '1'.
        // i=2: 2 -> '2'.
        // i=3: 5 - 40 = -35: low 5 bits 29 (0b11101), rest -35>>5 = -2 != -1 -> (29|0x20)+48 = 109 'm';
        //      then -2 & 31 = 30, rest -1 and 30 has 0x10 -> stop: 30+48 = 78 'N'.
        BitMask m = new BitMask(5, 10);
        for (int p = 0; p < 50; p++) {
            if ((p >= 3 && p <= 42) || p >= 45) {
                m.set(p / 10, p % 10);
            }
        }
        assertArrayEquals(new int[] {3, 40, 2, 5}, CocoRle.encodeCounts(m));
        assertEquals(new Rle(10, 5, "3X12mN"), CocoRle.encode(m));
        assertEquals(m, CocoRle.decode(new Rle(10, 5, "3X12mN")));
        // Runs [0, 50, 0, 10]: '0'; 50 = 1*32 + 18, 18 has 0x10 but the rest is 1 -> 'b' (18|0x20)+48,
        // then '1'; '0'; 10 - 50 = -40: low bits 24, rest -2 -> 'h' (24|0x20)+48, then 30 -> 'N'.
        assertEquals("0b10hN", CocoRle.compress(new int[] {0, 50, 0, 10}));
        assertArrayEquals(new int[] {0, 50, 0, 10}, CocoRle.decompress("0b10hN"));
    }

    @Test
    void bigRunsNeedMoreGroups() {
        // 100000 = 3*32^3 + 1*32^2 + 21*32 + 0 -> groups 0,21,1,3 (low first). 21 has 0x10 set but more
        // groups follow anyway; the last group 3 has no sign bit and the rest is 0.
        // chars: (0|0x20)+48 = 'P', (21|0x20)+48 = 'e', (1|0x20)+48 = 'Q', 3+48 = '3'.
        assertEquals("PeQ3", CocoRle.compress(new int[] {100000}));
        assertArrayEquals(new int[] {100000}, CocoRle.decompress("PeQ3"));
        BitMask big = new BitMask(400, 300);
        for (int x = 10; x < 390; x++) {
            for (int y = 0; y < 300; y++) {
                big.set(x, y);
            }
        }
        // whole columns 10..389: runs [10*300, 380*300, 10*300]
        assertArrayEquals(new int[] {3000, 114000, 3000}, CocoRle.encodeCounts(big));
        assertEquals(big, CocoRle.decode(CocoRle.encode(big)));
    }

    @Test
    void randomMasksRoundTripAndMatchANaiveEncoder() {
        Random rnd = new Random(7);
        for (int t = 0; t < 300; t++) {
            int w = rnd.nextInt(40);
            int h = rnd.nextInt(40);
            BitMask m = new BitMask(w, h);
            double density = rnd.nextDouble();
            boolean blobby = rnd.nextBoolean();
            boolean on = false;
            for (int x = 0; x < w; x++) {
                for (int y = 0; y < h; y++) {
                    // blobby masks flip rarely (long runs), noisy ones often (short runs)
                    if (blobby ? rnd.nextDouble() < 0.03 : rnd.nextDouble() < density) {
                        on = !on;
                    }
                    m.set(x, y, on);
                }
            }
            int[] counts = CocoRle.encodeCounts(m);
            assertArrayEquals(naiveCounts(m), counts);
            Rle rle = CocoRle.encode(m);
            assertArrayEquals(counts, CocoRle.decompress(rle.counts()));
            assertEquals(m, CocoRle.decode(rle));
        }
    }

    @Test
    void decodingAcceptsZeroRunsButRejectsBadInput() {
        // [1, 0, 2, 1] on a 2x2: 1 off, 0 on, 2 off, 1 on -> only the last column-major pixel (1,1).
        assertEquals(parse("..", ".#"), CocoRle.decodeCounts(new int[] {1, 0, 2, 1}, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> CocoRle.decodeCounts(new int[] {1, 2}, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> CocoRle.decode(new Rle(2, 2, "3")));
        assertThrows(IllegalArgumentException.class, () -> CocoRle.decompress("P")); // ends mid-count
        assertThrows(IllegalArgumentException.class, () -> CocoRle.decompress("0 1")); // ' ' < '0'
        assertThrows(IllegalArgumentException.class, () -> CocoRle.decompress("O")); // -1 as a count
    }

    /** Column-major runs written the obvious way, to cross-check the encoder. */
    private static int[] naiveCounts(BitMask m) {
        List<Integer> runs = new ArrayList<>();
        int run = 0;
        int value = 0;
        for (int x = 0; x < m.width(); x++) {
            for (int y = 0; y < m.height(); y++) {
                int v = m.get(x, y) ? 1 : 0;
                if (v != value) {
                    runs.add(run);
                    run = 0;
                    value = v;
                }
                run++;
            }
        }
        runs.add(run);
        return runs.stream().mapToInt(Integer::intValue).toArray();
    }
}
