package io.pseudolabel.masks;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IgnoreRegionsTest {
    private static BitMask rect(int w, int h, int x0, int y0, int x1, int y1) {
        BitMask m = new BitMask(w, h);
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                m.set(x, y);
            }
        }
        return m;
    }

    private static int count(ClassMap m, int id) {
        int n = 0;
        for (byte b : m.ids()) {
            n += (b & 0xFF) == id ? 1 : 0;
        }
        return n;
    }

    @Test
    void weakInstancesArePaintedIgnore() {
        List<InstanceMask> inst = List.of(new InstanceMask(1, 0.9f, rect(20, 10, 0, 0, 5, 5)),
                new InstanceMask(2, 0.9f, rect(20, 10, 10, 0, 20, 10)));
        ClassMap m = SemanticComposer.compose(20, 10, inst);
        SemanticComposer.ignoreRegions(m, inst, Arrays.asList(0.8f, 0.3f), 0.5f, 0);
        assertEquals(25, count(m, 1));
        assertEquals(0, count(m, 2));
        assertEquals(100, count(m, ClassMap.IGNORE));
        // off: nothing changes
        ClassMap off = SemanticComposer.compose(20, 10, inst);
        SemanticComposer.ignoreRegions(off, inst, Arrays.asList(0.8f, 0.3f), 0f, 0);
        assertEquals(0, count(off, ClassMap.IGNORE));
    }

    @Test
    void boundaryBandCoversBothSidesOfTheEdge() {
        // a 6x6 square at (7,7) in a 20x20 map: its edge is the square's outer ring of pixels
        List<InstanceMask> inst = List.of(new InstanceMask(3, 1f, rect(20, 20, 7, 7, 13, 13)));
        ClassMap m = SemanticComposer.compose(20, 20, inst);
        SemanticComposer.ignoreRegions(m, inst, Arrays.asList((Float) null), 0f, 1);
        // edge ring 6x6 dilated by 1: an 8x8 square minus the inside 2x2 that is 2 px from the edge
        assertEquals(64 - 4, count(m, ClassMap.IGNORE));
        assertEquals(4, count(m, 3));
        assertEquals(3, m.ids()[10 * 20 + 10]);
        assertEquals((byte) 255, m.ids()[6 * 20 + 6]);
        assertEquals(0, m.ids()[5 * 20 + 5]);
    }

    @Test
    void dilationMatchesTheChebyshevDefinition() {
        int w = 9, h = 7;
        boolean[] in = new boolean[w * h];
        in[3 * w + 4] = true;
        in[0] = true;
        boolean[] out = SemanticComposer.dilate(in, w, h, 2);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean near = Math.max(Math.abs(x - 4), Math.abs(y - 3)) <= 2 || Math.max(x, y) <= 2;
                assertEquals(near, out[y * w + x], x + "," + y);
            }
        }
    }
}
