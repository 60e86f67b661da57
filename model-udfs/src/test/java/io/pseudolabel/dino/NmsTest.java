package io.pseudolabel.dino;

import io.pseudolabel.geom.Box;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NmsTest {
    static Detection det(int cls, float score, float x1, float y1, float x2, float y2) {
        return new Detection(cls, "c" + cls, score, new Box(x1, y1, x2, y2));
    }

    @Test
    void overlappingBoxesOfOneClassKeepTheBestScore() {
        // A (0,0,10,10) and B (1,0,11,10): inter 9*10=90, union 100+100-90=110, IoU 0.818 > 0.5
        Detection a = det(0, 0.8f, 0, 0, 10, 10);
        Detection b = det(0, 0.9f, 1, 0, 11, 10);
        assertEquals(List.of(b), Nms.perClass(List.of(a, b), 0.5f, 10));
    }

    @Test
    void differentClassesNeverSuppressEachOther() {
        Detection a = det(0, 0.9f, 0, 0, 10, 10);
        Detection b = det(1, 0.8f, 0, 0, 10, 10); // IoU 1 but another class
        assertEquals(List.of(a, b), Nms.perClass(List.of(b, a), 0.5f, 10));
    }

    @Test
    void theIouThresholdIsStrict() {
        // A (0,0,10,10), B (0,0,10,20): inter 100, union 100+200-100=200, IoU exactly 0.5
        Detection a = det(2, 0.9f, 0, 0, 10, 10);
        Detection b = det(2, 0.7f, 0, 0, 10, 20);
        assertEquals(List.of(a, b), Nms.perClass(List.of(a, b), 0.5f, 10));
        assertEquals(List.of(a), Nms.perClass(List.of(a, b), 0.49f, 10));
    }

    @Test
    void atMostMaxPerClassInScoreOrder() {
        Detection a = det(0, 0.7f, 0, 0, 10, 10);
        Detection b = det(0, 0.9f, 20, 0, 30, 10);
        Detection c = det(0, 0.8f, 40, 0, 50, 10);
        Detection other = det(1, 0.6f, 0, 0, 10, 10);
        // two of class 0 (0.9, 0.8), and class 1 is not limited by class 0's count
        assertEquals(List.of(b, c, other), Nms.perClass(List.of(a, b, c, other), 0.5f, 2));
        assertEquals(List.of(), Nms.perClass(List.of(a, b), 0.5f, 0));
    }

    @Test
    void aSuppressedBoxDoesNotSuppressOthers() {
        // B overlaps A (IoU 0.818) and C (x 2..12: with B inter 9*10=90, IoU 0.818); A and C: inter 8*10=80,
        // union 120, IoU 0.667. Order A 0.9, B 0.8, C 0.7: B goes (A), C goes (A, 0.667 > 0.5)
        Detection a = det(0, 0.9f, 0, 0, 10, 10);
        Detection b = det(0, 0.8f, 1, 0, 11, 10);
        Detection c = det(0, 0.7f, 2, 0, 12, 10);
        assertEquals(List.of(a), Nms.perClass(List.of(c, b, a), 0.5f, 10));
        // at 0.7: B still goes (0.818), C stays (0.667 with A; B was not kept)
        assertEquals(List.of(a, c), Nms.perClass(List.of(c, b, a), 0.7f, 10));
    }
}
