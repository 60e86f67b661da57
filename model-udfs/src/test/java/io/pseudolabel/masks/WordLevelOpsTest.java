package io.pseudolabel.masks;

import io.pseudolabel.geom.Box;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The word-at-a-time mask operations against the plain pixel-by-pixel definitions, on random masks. */
class WordLevelOpsTest {

    private static BitMask randomMask(SplittableRandom r, int w, int h) {
        BitMask m = new BitMask(w, h);
        int kind = r.nextInt(4);
        if (kind == 0) {
            return m; // empty
        }
        if (kind == 1) { // salt and pepper
            double p = r.nextDouble();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (r.nextDouble() < p) {
                        m.set(x, y);
                    }
                }
            }
            return m;
        }
        int blobs = 1 + r.nextInt(3); // rectangles, possibly touching the borders
        for (int b = 0; b < blobs; b++) {
            int x0 = r.nextInt(w), y0 = r.nextInt(h);
            int x1 = x0 + r.nextInt(w - x0 + 1), y1 = y0 + r.nextInt(h - y0 + 1);
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    m.set(x, y);
                }
            }
        }
        if (kind == 3) {
            m.set(r.nextInt(w), r.nextInt(h));
        }
        return m;
    }

    private static Optional<Box> referenceBounds(BitMask m) {
        int minX = m.width(), minY = m.height(), maxX = -1, maxY = -1;
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                if (m.get(x, y)) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = y;
                }
            }
        }
        return maxX < 0 ? Optional.empty() : Optional.of(new Box(minX, minY, maxX + 1, maxY + 1));
    }

    private static BitMask referenceClip(BitMask m, Box box) {
        BitMask out = new BitMask(m.width(), m.height());
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                double cx = x + 0.5, cy = y + 0.5;
                if (m.get(x, y) && box.x1() <= cx && cx < box.x2() && box.y1() <= cy && cy < box.y2()) {
                    out.set(x, y);
                }
            }
        }
        return out;
    }

    private static int[] referenceCounts(BitMask m) {
        List<Integer> counts = new ArrayList<>();
        int run = 0;
        boolean current = false;
        for (int x = 0; x < m.width(); x++) {
            for (int y = 0; y < m.height(); y++) {
                boolean on = m.get(x, y);
                if (on != current) {
                    counts.add(run);
                    run = 0;
                    current = on;
                }
                run++;
            }
        }
        counts.add(run);
        return counts.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void boundsClipRleAndPaintMatchThePixelDefinitions() {
        SplittableRandom r = new SplittableRandom(11);
        int[][] sizes = {{1, 1}, {64, 1}, {1, 64}, {63, 3}, {65, 7}, {128, 2}, {640, 3}, {37, 41}, {100, 100}, {3, 200}};
        for (int t = 0; t < 400; t++) {
            int[] s = sizes[t % sizes.length];
            BitMask m = randomMask(r, s[0], s[1]);
            String what = "case " + t + " " + m;
            assertEquals(referenceBounds(m), m.bounds(), what);
            float bx = (float) (r.nextDouble() * (s[0] + 4) - 2), by = (float) (r.nextDouble() * (s[1] + 4) - 2);
            Box box = new Box(bx, by, bx + (float) (r.nextDouble() * s[0]), by + (float) (r.nextDouble() * s[1]));
            assertEquals(referenceClip(m, box), m.clipTo(box), what + " clip " + box);
            assertArrayEquals(referenceCounts(m), CocoRle.encodeCounts(m), what);
            assertEquals(m, CocoRle.decode(CocoRle.encode(m)), what);

            byte[] expected = new byte[s[0] * s[1]];
            byte[] painted = new byte[s[0] * s[1]];
            for (int y = 0; y < s[1]; y++) {
                for (int x = 0; x < s[0]; x++) {
                    if (m.get(x, y)) {
                        expected[y * s[0] + x] = 7;
                    }
                }
            }
            List<Integer> on = new ArrayList<>();
            m.forEachSetBit(i -> {
                painted[i] = 7;
                on.add(i);
            });
            assertArrayEquals(expected, painted, what);
            assertEquals(m.area(), on.size());
            assertEquals(on.stream().sorted().toList(), on, "increasing order");
        }
    }

    @Test
    void composerPaintsOnlyTheMaskPixels() {
        SplittableRandom r = new SplittableRandom(5);
        for (int t = 0; t < 50; t++) {
            int w = 1 + r.nextInt(90), h = 1 + r.nextInt(70);
            List<InstanceMask> layers = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                layers.add(new InstanceMask(1 + r.nextInt(5), (float) r.nextDouble(), randomMask(r, w, h)));
            }
            for (OverlapRule rule : OverlapRule.values()) {
                ClassMap got = SemanticComposer.compose(w, h, layers, rule);
                byte[] ids = got.ids();
                for (int i = 0; i < ids.length; i++) {
                    int x = i % w, y = i / w;
                    boolean any = layers.stream().anyMatch(l -> l.mask().get(x, y));
                    assertEquals(any, ids[i] != 0, "pixel " + i + " " + rule + " " + Arrays.toString(new int[] {w, h}));
                }
            }
        }
    }
}
