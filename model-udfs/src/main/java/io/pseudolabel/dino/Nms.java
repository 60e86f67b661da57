package io.pseudolabel.dino;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Per-class non-maximum suppression (HF and t.js do none; duplicate queries are common). */
public final class Nms {
    private Nms() {}

    /** Keeps, per class, detections in score order that overlap no kept one by more than {@code iou}. */
    public static List<Detection> perClass(List<Detection> detections, float iou, int maxPerClass) {
        List<Detection> sorted = new ArrayList<>(detections);
        sorted.sort(Comparator.comparingDouble((Detection d) -> -d.score())
                .thenComparingDouble(d -> d.box().x1()).thenComparingDouble(d -> d.box().y1()));
        List<Detection> kept = new ArrayList<>();
        for (Detection d : sorted) {
            long sameClass = kept.stream().filter(k -> k.classIndex() == d.classIndex()).count();
            if (sameClass >= maxPerClass) {
                continue;
            }
            boolean suppressed = kept.stream()
                    .anyMatch(k -> k.classIndex() == d.classIndex() && k.box().iou(d.box()) > iou);
            if (!suppressed) {
                kept.add(d);
            }
        }
        return kept;
    }
}
