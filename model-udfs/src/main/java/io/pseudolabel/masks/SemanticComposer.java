package io.pseudolabel.masks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Paints instances into one semantic map (the labeller's composition step, ARCHITECTURE.md). Every tie is broken the same way each time,
 * ending with list order (earlier wins), so the same instances always give the same bytes:
 * <ul>
 *   <li>{@link OverlapRule#SMALLER_ON_TOP}: smaller area, then higher score, then earlier.</li>
 *   <li>{@link OverlapRule#SCORE}: higher score, then smaller area, then earlier.</li>
 *   <li>{@link OverlapRule#IGNORE}: a pixel claimed by two different class ids is 255, else its class.</li>
 * </ul>
 */
public final class SemanticComposer {

    private SemanticComposer() {}

    public static ClassMap compose(int width, int height, List<InstanceMask> instances) {
        return compose(width, height, instances, OverlapRule.SMALLER_ON_TOP);
    }

    public static ClassMap compose(int width, int height, List<InstanceMask> instances, OverlapRule rule) {
        for (InstanceMask inst : instances) {
            if (inst.mask().width() != width || inst.mask().height() != height) {
                throw new IllegalArgumentException("instance mask is " + inst.mask().width() + "x"
                        + inst.mask().height() + ", map is " + width + "x" + height);
            }
        }
        byte[] ids = new byte[width * height];
        if (rule == OverlapRule.IGNORE) {
            for (InstanceMask inst : instances) {
                paintOrConflict(ids, inst);
            }
        } else {
            // Paint the losers first so each pixel ends with its winner.
            List<Ranked> ranked = new ArrayList<>();
            for (int i = 0; i < instances.size(); i++) {
                ranked.add(new Ranked(instances.get(i), instances.get(i).mask().area(), i));
            }
            ranked.sort(winnerFirst(rule).reversed());
            for (Ranked r : ranked) {
                paint(ids, r.instance);
            }
        }
        return new ClassMap(width, height, ids);
    }

    /**
     * Ignore regions (off when both are 0): every instance whose quality is below {@code ignoreBelow} is painted
     * 255 over its pixels, then every pixel within {@code boundary} pixels (8-connected) of an instance's edge,
     * inside or outside it, is 255. Returns {@code map} changed in place.
     *
     * @param qualities the instances' qualities, in the order of {@code instances}
     */
    public static ClassMap ignoreRegions(ClassMap map, List<InstanceMask> instances, List<Float> qualities,
            float ignoreBelow, int boundary) {
        byte[] ids = map.ids();
        byte ignore = (byte) ClassMap.IGNORE;
        if (ignoreBelow > 0) {
            for (int k = 0; k < instances.size(); k++) {
                Float q = qualities.get(k);
                if (q != null && q < ignoreBelow) {
                    instances.get(k).mask().forEachSetBit(i -> ids[i] = ignore);
                }
            }
        }
        if (boundary > 0 && !instances.isEmpty()) {
            int w = map.width();
            int h = map.height();
            boolean[] edge = new boolean[w * h];
            for (InstanceMask inst : instances) {
                BitMask m = inst.mask();
                m.forEachSetBit(i -> {
                    int x = i % w;
                    int y = i / w;
                    if ((x > 0 && !m.get(x - 1, y)) || (x < w - 1 && !m.get(x + 1, y))
                            || (y > 0 && !m.get(x, y - 1)) || (y < h - 1 && !m.get(x, y + 1))) {
                        edge[i] = true;
                    }
                });
            }
            boolean[] band = dilate(edge, w, h, boundary);
            for (int i = 0; i < band.length; i++) {
                if (band[i]) {
                    ids[i] = ignore;
                }
            }
        }
        return map;
    }

    /** A square dilation by {@code r} (Chebyshev distance <= r), separable, with running counts. */
    static boolean[] dilate(boolean[] in, int w, int h, int r) {
        boolean[] rows = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            int count = 0;
            for (int x = 0; x < Math.min(w, r); x++) {
                count += in[y * w + x] ? 1 : 0;
            }
            for (int x = 0; x < w; x++) {
                if (x + r < w && in[y * w + x + r]) {
                    count++;
                }
                if (x - r - 1 >= 0 && in[y * w + x - r - 1]) {
                    count--;
                }
                rows[y * w + x] = count > 0;
            }
        }
        boolean[] out = new boolean[w * h];
        for (int x = 0; x < w; x++) {
            int count = 0;
            for (int y = 0; y < Math.min(h, r); y++) {
                count += rows[y * w + x] ? 1 : 0;
            }
            for (int y = 0; y < h; y++) {
                if (y + r < h && rows[(y + r) * w + x]) {
                    count++;
                }
                if (y - r - 1 >= 0 && rows[(y - r - 1) * w + x]) {
                    count--;
                }
                out[y * w + x] = count > 0;
            }
        }
        return out;
    }

    private static Comparator<Ranked> winnerFirst(OverlapRule rule) {
        Comparator<Ranked> smaller = Comparator.comparingInt(Ranked::area);
        Comparator<Ranked> higherScore = Comparator.comparingDouble(r -> -r.instance.score());
        Comparator<Ranked> earlier = Comparator.comparingInt(Ranked::order);
        return rule == OverlapRule.SCORE
                ? higherScore.thenComparing(smaller).thenComparing(earlier)
                : smaller.thenComparing(higherScore).thenComparing(earlier);
    }

    private static void paint(byte[] ids, InstanceMask inst) {
        byte id = (byte) inst.classId();
        inst.mask().forEachSetBit(i -> ids[i] = id);
    }

    private static void paintOrConflict(byte[] ids, InstanceMask inst) {
        byte id = (byte) inst.classId();
        inst.mask().forEachSetBit(i -> ids[i] = ids[i] == 0 || ids[i] == id ? id : (byte) ClassMap.IGNORE);
    }

    private record Ranked(InstanceMask instance, int area, int order) {}
}
