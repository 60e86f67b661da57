package io.pseudolabel.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfusionMatrixTest {

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void handComputedMatrixWithIgnoreAbsentClassAndPredictionOnlyClass() {
        // 4 classes: 0 and 1 in both, 2 only in the prediction, 3 nowhere. 255 in either map is dropped.
        byte[] gt = b(0, 0, 0, 1, 1, 1, 1, 255, 0, 1);
        byte[] pr = b(0, 0, 1, 1, 1, 2, 1, 1, 255, 0);
        ConfusionMatrix m = new ConfusionMatrix(4).add(gt, pr);
        // counted pixels 0..6 and 9:  (0,0)x2 (0,1)x1 (1,1)x3 (1,2)x1 (1,0)x1
        assertEquals(2, m.get(0, 0));
        assertEquals(1, m.get(0, 1));
        assertEquals(1, m.get(1, 0));
        assertEquals(3, m.get(1, 1));
        assertEquals(1, m.get(1, 2));
        assertEquals(8, m.total());
        // IoU0 = 2/(3+3-2) = 0.5; IoU1 = 3/(5+4-3) = 0.5; IoU2 = 0/(0+1-0) = 0; class 3 absent -> NaN
        assertEquals(0.5, m.iou(0), 1e-12);
        assertEquals(0.5, m.iou(1), 1e-12);
        assertEquals(0.0, m.iou(2), 1e-12);
        assertTrue(Double.isNaN(m.iou(3)));
        assertEquals(List.of(0, 1, 2), m.presentClasses());
        // a class only in the prediction counts (with IoU 0); an absent class does not
        assertEquals((0.5 + 0.5 + 0.0) / 3, m.meanIou(), 1e-12);
        assertEquals(5.0 / 8, m.pixelAccuracy(), 1e-12);
        assertEquals(2.0 / 3, m.precision(0), 1e-12);
        assertEquals(3.0 / 4, m.precision(1), 1e-12);
        assertEquals(0.0, m.precision(2), 1e-12);
        assertEquals(2.0 / 3, m.recall(0), 1e-12);
        assertEquals(3.0 / 5, m.recall(1), 1e-12);
        assertTrue(Double.isNaN(m.recall(2)), "no GT pixel of class 2");
        assertTrue(Double.isNaN(m.precision(3)));
    }

    @Test
    void classOnlyInGroundTruthCountsWithZeroIou() {
        ConfusionMatrix m = new ConfusionMatrix(3).add(b(2, 2, 0, 0), b(0, 0, 0, 0));
        assertEquals(List.of(0, 2), m.presentClasses());
        assertEquals(0.5, m.iou(0), 1e-12); // 2/(2+4-2)
        assertEquals(0.0, m.iou(2), 1e-12);
        assertEquals(0.25, m.meanIou(), 1e-12);
    }

    @Test
    void allIgnoredImageCountsNothing() {
        ConfusionMatrix m = new ConfusionMatrix(2).add(b(255, 255, 0), b(0, 1, 255));
        assertEquals(0, m.total());
        assertTrue(m.presentClasses().isEmpty());
        assertTrue(Double.isNaN(m.meanIou()));
        assertTrue(Double.isNaN(m.pixelAccuracy()));
    }

    @Test
    void outOfRangeIdIsAnErrorAndAddsNothing() {
        ConfusionMatrix m = new ConfusionMatrix(3).add(b(1, 1), b(1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.add(b(0, 1, 2), b(0, 7, 2)));
        assertTrue(e.getMessage().contains("7") && e.getMessage().contains("prediction"), e.getMessage());
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class, () -> m.add(b(3), b(0)));
        assertTrue(g.getMessage().contains("ground truth"), g.getMessage());
        assertEquals(2, m.total(), "nothing of the failed images was added");
        assertThrows(IllegalArgumentException.class, () -> m.add(b(0, 0), b(0)));
    }

    @Test
    void mergeIsTheSumOfImages() {
        byte[] g1 = b(0, 1, 1, 2);
        byte[] p1 = b(0, 1, 2, 2);
        byte[] g2 = b(2, 2, 0, 255);
        byte[] p2 = b(2, 0, 0, 1);
        ConfusionMatrix both = new ConfusionMatrix(3).add(g1, p1).add(g2, p2);
        ConfusionMatrix merged = new ConfusionMatrix(3).add(g1, p1).merge(new ConfusionMatrix(3).add(g2, p2));
        for (int g = 0; g < 3; g++) {
            for (int p = 0; p < 3; p++) {
                assertEquals(both.get(g, p), merged.get(g, p));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> merged.merge(new ConfusionMatrix(4)));
    }
}
