package io.pseudolabel.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AveragePrecisionTest {

    @Test
    void matchesScikitLearnsDocumentedExample() {
        // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333...
        assertEquals(5.0 / 6, AveragePrecision.of(new float[] {0.1f, 0.4f, 0.35f, 0.8f},
                new boolean[] {false, false, true, true}), 1e-12);
    }

    @Test
    void tiedScoresEnterTogether() {
        // threshold 0.5: P 1/2, R 1/2; threshold 0.2: P 2/3, R 1 -> 0.25 + 1/3
        assertEquals(0.25 + 1.0 / 3, AveragePrecision.of(new float[] {0.5f, 0.5f, 0.2f},
                new boolean[] {true, false, true}), 1e-12);
    }

    @Test
    void perfectRankingIsOneAndNoPositiveIsNaN() {
        assertEquals(1.0, AveragePrecision.of(new float[] {0.9f, 0.8f, 0.1f}, new boolean[] {true, true, false}));
        assertTrue(Double.isNaN(AveragePrecision.of(new float[] {0.9f, 0.1f}, new boolean[] {false, false})));
    }

    @Test
    void meanSkipsClassesWithoutPositives() {
        float[][] s = {{0.9f, 0.2f, 0.5f}, {0.1f, 0.8f, 0.5f}};
        boolean[][] t = {{true, false, false}, {false, false, false}};
        double[] ap = AveragePrecision.perClass(s, t);
        assertEquals(1.0, ap[0]);
        assertTrue(Double.isNaN(ap[1]) && Double.isNaN(ap[2]));
        assertEquals(1.0, AveragePrecision.mean(s, t));
        assertThrows(IllegalArgumentException.class, () -> AveragePrecision.of(new float[1], new boolean[2]));
    }
}
