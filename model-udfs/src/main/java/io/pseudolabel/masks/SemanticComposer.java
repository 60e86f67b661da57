package io.pseudolabel.masks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Paints instances into one semantic map (DESIGN §4 step 4). Every tie is broken the same way each time,
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
