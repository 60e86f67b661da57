package io.pseudolabel.clip;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CLIP's zero-shot arithmetic with hand-computed numbers. */
class ClipZeroShotTest {
    private static final float EPS = 1e-6f;

    @Test
    void l2NormalizeMakesUnitVectorsAndKeepsZero() {
        // |(3,4)| = 5 -> (0.6, 0.8)
        assertArrayEquals(new float[] {0.6f, 0.8f}, ClipZeroShot.l2Normalize(new float[] {3, 4}), EPS);
        // |(-2,0,0,0)| = 2 -> (-1,0,0,0)
        assertArrayEquals(new float[] {-1, 0, 0, 0}, ClipZeroShot.l2Normalize(new float[] {-2, 0, 0, 0}), EPS);
        // zero stays zero (no NaN from 0/0)
        assertArrayEquals(new float[] {0, 0, 0}, ClipZeroShot.l2Normalize(new float[] {0, 0, 0}));
        // the input is not modified
        float[] v = {3, 4};
        ClipZeroShot.l2Normalize(v);
        assertArrayEquals(new float[] {3, 4}, v);
    }

    @Test
    void classEmbeddingsNormaliseEachTemplateThenAverageThenRenormalise() {
        float[][] prompts = {
            {3, 4}, {0, 2}, // class 0: (0.6,0.8), (0,1) -> mean (0.3,0.9), |.| = sqrt(0.9) = 0.9486833
            {2, 0}, {0, -7}, // class 1: (1,0), (0,-1) -> mean (0.5,-0.5), |.| = sqrt(0.5) -> (0.7071068,-0.7071068)
        };
        float[][] c = ClipZeroShot.classEmbeddings(prompts, 2);
        assertEquals(2, c.length);
        // (0.3, 0.9) / 0.9486833 = (1/sqrt(10), 3/sqrt(10)) = (0.3162278, 0.9486833)
        assertArrayEquals(new float[] {0.3162278f, 0.9486833f}, c[0], EPS);
        assertArrayEquals(new float[] {0.7071068f, -0.7071068f}, c[1], EPS);
        // averaging the raw vectors first would give (1.5,3)/|.| = (0.4472136, 0.8944272): not what we do
        assertTrue(Math.abs(c[0][0] - 0.4472136f) > 0.1f);
    }

    @Test
    void classEmbeddingsRefuseGroupsThatDoNotSplit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipZeroShot.classEmbeddings(new float[3][2], 2));
        assertTrue(e.getMessage().contains("3 prompt embeddings"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClipZeroShot.classEmbeddings(new float[2][2], 0));
    }

    @Test
    void probabilitiesAreSoftmaxOfScaledCosines() {
        float[][] classes = {{1, 0}, {0, 1}, {0.6f, 0.8f}};
        // image (2,0) normalises to (1,0); cosines 1, 0, 0.6; x logit scale 10 -> logits 10, 0, 6
        // softmax: exp(0)=1, exp(-10)=4.539993e-5, exp(-4)=0.01831564; sum 1.01836104
        // -> 0.9819700, 4.458137e-5, 0.01798541
        float[] p = ClipZeroShot.probabilities(new float[] {2, 0}, classes, 10f);
        assertArrayEquals(new float[] {0.9819700f, 4.458137e-5f, 0.01798541f}, p, 1e-6f);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-6);
        // scale 1: logits 1, 0, 0.6 -> exp(0)=1, exp(-1)=0.3678794, exp(-0.4)=0.6703200; sum 2.0381994
        // -> 0.4906291, 0.1804924, 0.3288785
        assertArrayEquals(new float[] {0.4906291f, 0.1804924f, 0.3288785f},
                ClipZeroShot.probabilities(new float[] {5, 0}, classes, 1f), 1e-6f);
    }

    @Test
    void probabilitiesDoNotOverflowAtTheDefaultScale() {
        // scale 100, cosines 1 and -1: logits 100 and -100; exp(-200) = 1.38e-87 underflows to 0 in float
        float[] p = ClipZeroShot.probabilities(new float[] {1, 0}, new float[][] {{1, 0}, {-1, 0}}, 100f);
        assertEquals(1f, p[0], 0f);
        assertEquals(0f, p[1], 0f);
    }

    @Test
    void probabilitiesRefuseMismatchedDimensions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipZeroShot.probabilities(new float[] {1, 0, 0}, new float[][] {{1, 0}}, 100f));
        assertTrue(e.getMessage().contains("3 dims") && e.getMessage().contains("2"), e.getMessage());
    }

    @Test
    void topLabelsTakesTheMostProbableAboveTheMinimum() {
        float[] p = {0.10f, 0.50f, 0.15f, 0.15f, 0.10f};
        // order by probability: 1 (0.50), then the tie 2/3 (0.15) in index order, then the tie 0/4 (0.10)
        assertEquals(List.of(1, 2, 3), ClipZeroShot.topLabels(p, 3, 0.1f));
        assertEquals(List.of(1, 2), ClipZeroShot.topLabels(p, 2, 0.1f));
        // min-prob is inclusive: 0.10 >= 0.10
        assertEquals(List.of(1, 2, 3, 0, 4), ClipZeroShot.topLabels(p, 5, 0.1f));
        // 0.10 < 0.12: classes 0 and 4 drop out even though top-n allows them
        assertEquals(List.of(1, 2, 3), ClipZeroShot.topLabels(p, 5, 0.12f));
        // nothing clears the bar
        assertEquals(List.of(), ClipZeroShot.topLabels(p, 3, 0.6f));
        assertEquals(List.of(), ClipZeroShot.topLabels(p, 0, 0f));
    }
}
