package io.pseudolabel.eval;

import io.pseudolabel.eval.AveragePrecision.Method;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AveragePrecisionTest {
    private static final boolean T = true;
    private static final boolean F = false;

    @Test
    void perfectRankingIsOne() {
        assertEquals(1.0, AveragePrecision.of(new float[] {0.9f, 0.8f, 0.3f, 0.1f}, new boolean[] {T, T, F, F}), 0);
        assertEquals(1.0, AveragePrecision.of(new float[] {0.9f, 0.8f, 0.3f, 0.1f}, new boolean[] {T, T, F, F},
                Method.VOC07_11_POINT), 0);
    }

    @Test
    void handComputedMixedRanking() {
        // ranks: + - + - +  →  (P, R) = (1, 1/3) (1/2, 1/3) (2/3, 2/3) (1/2, 2/3) (3/5, 1)
        // AP = 1/3·1 + 1/3·2/3 + 1/3·3/5 = 34/45
        float[] s = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f};
        boolean[] y = {T, F, T, F, T};
        assertEquals(34.0 / 45.0, AveragePrecision.of(s, y), 1e-12);
        // 11-point: recall ≥ 0, .1, .2, .3 → 1; ≥ .4, .5, .6 → 2/3; ≥ .7 … 1 → 3/5; (4 + 2 + 2.4) / 11
        assertEquals(8.4 / 11, AveragePrecision.of(s, y, Method.VOC07_11_POINT), 1e-12);
    }

    @Test
    void scikitLearnsDocumentationExample() {
        // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
        assertEquals(5.0 / 6.0, AveragePrecision.of(new float[] {0.1f, 0.4f, 0.35f, 0.8f},
                new boolean[] {F, F, T, T}), 1e-12);
    }

    @Test
    void tiedScoresFormOneThresholdWhateverTheirOrder() {
        // A positive tied with a negative is neither first nor second: one point (P 1/2, R 1).
        assertEquals(0.5, AveragePrecision.of(new float[] {0.5f, 0.5f}, new boolean[] {T, F}), 0);
        assertEquals(0.5, AveragePrecision.of(new float[] {0.5f, 0.5f}, new boolean[] {F, T}), 0);
        // - then (+ -) tied then +: (P, R) = (0, 0) (1/3, 1/2) (1/2, 1) → 1/2·1/3 + 1/2·1/2 = 5/12
        assertEquals(5.0 / 12, AveragePrecision.of(new float[] {0.9f, 0.5f, 0.5f, 0.1f},
                new boolean[] {F, T, F, T}), 1e-12);
        assertEquals(5.0 / 12, AveragePrecision.of(new float[] {0.9f, 0.5f, 0.5f, 0.1f},
                new boolean[] {F, F, T, T}), 1e-12);
        // Every score equal: AP is the fraction of positives.
        assertEquals(0.25, AveragePrecision.of(new float[] {0f, 0f, 0f, 0f}, new boolean[] {F, T, F, F}), 0);
    }

    @Test
    void noPositiveIsUndefinedAndLeftOutOfTheMean() {
        assertTrue(Double.isNaN(AveragePrecision.of(new float[] {0.3f, 0.2f}, new boolean[] {F, F})));
        float[][] scores = {{0.9f, 0.1f, 0.5f}, {0.2f, 0.8f, 0.4f}, {0.6f, 0.7f, 0.3f}};
        boolean[][] truth = {{T, F, F}, {F, T, F}, {F, F, F}};
        AveragePrecision.Summary s = AveragePrecision.summarize(List.of("cat", "dog", "cow"), scores, truth,
                Method.SKLEARN);
        // cat: 0.9 (+) first → 1; dog: 0.8 (+) first → 1; cow: no positive
        assertEquals(3, s.images());
        assertEquals(List.of("cow"), s.excluded());
        assertEquals(1.0, s.map(), 0);
        assertEquals(new AveragePrecision.ClassAp("cat", 1, 1.0), s.perClass().get(0));
        assertTrue(Double.isNaN(s.perClass().get(2).ap()));
        assertEquals(0, s.perClass().get(2).positives());

        // dog ranked second of three: (0, 0) (1/2, 1) (1/3, 1) → 1/2; mAP = (1 + 1/2) / 2
        scores[2][1] = 0.95f;
        assertEquals(0.75, AveragePrecision.summarize(List.of("cat", "dog", "cow"), scores, truth, Method.SKLEARN)
                .map(), 1e-12);
    }

    @Test
    void mismatchedOrNanInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AveragePrecision.of(new float[2], new boolean[3]));
        assertThrows(IllegalArgumentException.class,
                () -> AveragePrecision.of(new float[] {Float.NaN}, new boolean[] {T}));
        assertThrows(IllegalArgumentException.class, () -> AveragePrecision.summarize(List.of("a", "b"),
                new float[][] {{1f}}, new boolean[][] {{T}}, Method.SKLEARN));
    }
}
