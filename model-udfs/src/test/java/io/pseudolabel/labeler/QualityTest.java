package io.pseudolabel.labeler;

import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.Candidate;
import io.pseudolabel.masks.GroupedMask;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualityTest {
    private static GroupedMask kept(float boxIou, float predictedIou, Float objectScore, float stability) {
        return new GroupedMask(0, new BitMask(4, 4), boxIou, predictedIou, objectScore, stability);
    }

    @Test
    void instanceQualityIsTheGeometricMeanOfItsSignals() {
        // 0.9 * 0.8 * 0.5 * 1 * 1 = 0.36; fifth root
        float q = Quality.instance(0.9f, kept(1f, 0.8f, null, 0.5f), 1f);
        assertEquals(Math.pow(0.36, 1 / 5.0), q, 1e-5);
        // SAM 2.1's object score is a sixth term, as its sigmoid: logit 0 -> 0.5
        float q2 = Quality.instance(0.9f, kept(1f, 0.8f, 0f, 0.5f), 1f);
        assertEquals(Math.pow(0.36 * 0.5, 1 / 6.0), q2, 1e-5);
    }

    @Test
    void oneWeakSignalMakesAWeakInstance() {
        float strong = Quality.instance(0.95f, kept(0.95f, 0.9f, null, 0.98f), 0.9f);
        float unstable = Quality.instance(0.95f, kept(0.95f, 0.9f, null, 0.05f), 0.9f);
        float wrongClass = Quality.instance(0.95f, kept(0.95f, 0.9f, null, 0.98f), 0.02f);
        assertTrue(strong > 0.9f, "strong " + strong);
        assertTrue(unstable < 0.6f, "unstable " + unstable);
        assertTrue(wrongClass < 0.5f, "wrong class " + wrongClass);
        assertEquals(0f, Quality.instance(0f, kept(1f, 1f, null, 1f), 1f), 0.1f);
    }

    @Test
    void imageQualityIsItsWeakestInstanceOrAMissedNamedClass() {
        assertEquals(0.4f, Quality.image(List.of(0.9f, 0.4f, 0.7f), List.of()), 1e-6);
        // CLIP was 0.8 sure of a class nothing was found for
        assertEquals(0.2f, Quality.image(List.of(0.9f), List.of(0.8f)), 1e-6);
        assertEquals(1f, Quality.image(List.of(), List.of()), 1e-6);
    }

    @Test
    void theClassTermIsRelativeToTheImagesClearestClass() {
        // three classes sharing CLIP's softmax evenly: each is as sure as the clearest, so the term is 1
        assertEquals(1f, Quality.relativeProbability(0.3333f, 0.3333f), 1e-6);
        // a class at 0.2 beside one at 0.8: a quarter as sure
        assertEquals(0.25f, Quality.relativeProbability(0.2f, 0.8f), 1e-6);
        assertEquals(0f, Quality.relativeProbability(0.2f, 0f), 1e-6);
        assertEquals(1f, Quality.relativeProbability(0.9f, 0.8f), 1e-6); // never above 1
        // so an instance of an evenly shared class is as good as a single class's with the same mask
        float shared = Quality.instance(0.95f, kept(0.98f, 0.86f, null, 0.99f),
                Quality.relativeProbability(0.3333f, 0.3333f));
        float alone = Quality.instance(0.95f, kept(0.98f, 0.86f, null, 0.99f), 1f);
        assertEquals(alone, shared, 1e-6);
    }

    @Test
    void stabilityIsTheIouOfTheMaskAtThresholdsPlusAndMinusOne() {
        // logits: 2 inner (> +1), 2 more in the band (-1, +1], 1 outside
        float[] logits = {5f, 1.5f, 0.5f, -0.5f, -3f};
        assertEquals(2 / 4f, Candidate.stability(logits, 0f), 1e-6);
        assertEquals(1f, Candidate.stability(new float[] {8f, 8f, -8f}, 0f), 1e-6);
        assertEquals(1f, Candidate.stability(new float[] {-8f, -8f}, 0f), 1e-6);
        // a shifted threshold shifts the band
        assertEquals(1 / 3f, Candidate.stability(logits, 0.5f), 1e-6);
    }
}
