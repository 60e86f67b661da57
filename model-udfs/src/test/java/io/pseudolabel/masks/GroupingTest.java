package io.pseudolabel.masks;

import io.pseudolabel.geom.Box;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupingTest {

    private static final Box BOX = new Box(4, 4, 14, 14); // 10x10 in a 20x20 image

    private static BitMask rect(int w, int h, int x0, int y0, int x1, int y1) {
        return BitMask.ofBox(w, h, new Box(x0, y0, x1, y1));
    }

    // whole: exactly the box, bounds IoU 1.0, area 100
    private static final Candidate WHOLE = new Candidate(2, rect(20, 20, 4, 4, 14, 14), 0.80f);
    // part: upper 5 rows, bounds (4,4,14,9): IoU 50/100 = 0.5
    private static final Candidate PART = new Candidate(1, rect(20, 20, 4, 4, 14, 9), 0.95f);
    // subpart: 3x3 at (7,5), bounds IoU 9/100 = 0.09
    private static final Candidate SUBPART = new Candidate(0, rect(20, 20, 7, 5, 10, 8), 0.90f);

    @Test
    void wholeBeatsAPartThatSamScoresHigher() {
        GroupedMask g = new Grouping().select(BOX, List.of(SUBPART, PART, WHOLE)).orElseThrow();
        assertEquals(2, g.candidate());
        assertEquals(1.0f, g.boxIou());
        assertEquals(0.80f, g.predictedIou());
        assertEquals(WHOLE.mask(), g.mask());
    }

    @Test
    void baselinePicksTheHighestPredictedIou() {
        GroupedMask g = new Grouping()
                .select(BOX, List.of(SUBPART, PART, WHOLE), Selection.HIGHEST_PREDICTED_IOU)
                .orElseThrow();
        assertEquals(1, g.candidate());
        assertEquals(0.5f, g.boxIou());
    }

    @Test
    void candidatesAreClippedToTheBoxGrownByTheMargin() {
        // Grown box: 4 - 0.05*10 = 3.5 .. 14.5, so pixel centres 3.5..13.5 stay: columns/rows 3..13.
        // A leak at columns 16..19 is cut away, the mask is the box again.
        BitMask leaky = WHOLE.mask().or(rect(20, 20, 16, 0, 20, 20));
        GroupedMask g = new Grouping().select(BOX, List.of(new Candidate(0, leaky, 0.5f))).orElseThrow();
        assertEquals(WHOLE.mask(), g.mask());
        assertEquals(1.0f, g.boxIou());
        // Columns 2..13: column 2 (centre 2.5) goes, column 3 (centre 3.5) stays.
        // Bounds (3,4,14,14) = 11x10 = 110 px, intersection 100 -> IoU 100/110.
        BitMask wide = rect(20, 20, 2, 4, 14, 14);
        GroupedMask w = new Grouping().select(BOX, List.of(new Candidate(0, wide, 0.5f))).orElseThrow();
        assertEquals(rect(20, 20, 3, 4, 14, 14), w.mask());
        assertEquals(100f / 110f, w.boxIou(), 1e-6);
        assertEquals(110, w.mask().area());
    }

    @Test
    void rejectsWhenNoCandidateReachesMinBoxIouOrAllAreEmpty() {
        Grouping grouping = new Grouping();
        assertEquals(Optional.empty(), grouping.select(BOX, List.of(SUBPART)));
        assertEquals(Optional.empty(), grouping.select(BOX, List.of(new Candidate(0, new BitMask(20, 20), 0.99f))));
        // Entirely outside the grown box: empty after clipping.
        assertEquals(Optional.empty(), grouping.select(BOX, List.of(new Candidate(0, rect(20, 20, 15, 15, 20, 20), 1f))));
        assertEquals(Optional.empty(), grouping.select(BOX, List.of()));
        // The baseline rejects by the same rule: the best-scored subpart is below 0.3.
        assertEquals(Optional.empty(), grouping.select(BOX, List.of(SUBPART), Selection.HIGHEST_PREDICTED_IOU));
        // With a bar of 0.5 the part (exactly 0.5) is kept.
        Grouping lenient = new Grouping(new GroupingConfig(0.05f, 0.5f, 0.02f));
        assertEquals(1, lenient.select(BOX, List.of(SUBPART, PART)).orElseThrow().candidate());
        // The baseline chooses first and checks the bar after: the subpart's 0.90 beats the whole's 0.80,
        // its ratio 0.09 is below the bar, so the box is lost although the whole would have passed.
        assertEquals(Optional.empty(), lenient.select(BOX, List.of(SUBPART, WHOLE), Selection.HIGHEST_PREDICTED_IOU));
        assertEquals(2, lenient.select(BOX, List.of(SUBPART, WHOLE)).orElseThrow().candidate());
    }

    // Near ties on a 100x100 box in a 120x120 image.
    private static final Box BIG = new Box(10, 10, 110, 110);
    private static final Candidate FULL = new Candidate(0, rect(120, 120, 10, 10, 110, 110), 0.70f); // 1.00
    private static final Candidate SHORT1 = new Candidate(1, rect(120, 120, 10, 10, 110, 109), 0.90f); // 0.99
    private static final Candidate SHORT3 = new Candidate(2, rect(120, 120, 10, 10, 110, 107), 0.99f); // 0.97

    @Test
    void predictedIouBreaksNearTiesOnly() {
        // 1.00 vs 0.99 differ by 0.01 < 0.02: near tie, SAM's 0.90 beats 0.70. 0.97 is 0.03 away: not a
        // contender even with 0.99.
        GroupedMask g = new Grouping().select(BIG, List.of(FULL, SHORT1, SHORT3)).orElseThrow();
        assertEquals(1, g.candidate());
        assertEquals(0.99f, g.boxIou(), 1e-6);
        // With nearTie 0.005 the 0.01 gap is decisive.
        Grouping strict = new Grouping(new GroupingConfig(0.05f, 0.3f, 0.005f));
        assertEquals(0, strict.select(BIG, List.of(FULL, SHORT1, SHORT3)).orElseThrow().candidate());
    }

    @Test
    void exactTiesGoToPredictedIouThenAreaOrToAreaWhenNearTieIsOff() {
        // A hollow frame with the same bounds as FULL: ratio 1.0 too, area 4*100 - 4 = 396.
        BitMask frame = FULL.mask().andNot(rect(120, 120, 11, 11, 109, 109));
        assertEquals(396, frame.area());
        Candidate hollow = new Candidate(1, frame, 0.75f);
        assertEquals(1, new Grouping().select(BIG, List.of(FULL, hollow)).orElseThrow().candidate());
        Grouping noNearTie = new Grouping(new GroupingConfig(0.05f, 0.3f, 0f));
        assertEquals(0, noNearTie.select(BIG, List.of(FULL, hollow)).orElseThrow().candidate());
        // Equal predicted IoU: the larger area wins; equal area too: the lower index.
        Candidate hollowSame = new Candidate(1, frame, 0.70f);
        assertEquals(0, new Grouping().select(BIG, List.of(hollowSame, FULL)).orElseThrow().candidate());
        Candidate twin = new Candidate(5, FULL.mask(), 0.70f);
        assertEquals(0, new Grouping().select(BIG, List.of(twin, FULL)).orElseThrow().candidate());
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new GroupingConfig(-0.1f, 0.3f, 0.02f));
        assertThrows(IllegalArgumentException.class, () -> new GroupingConfig(0.05f, 1.5f, 0.02f));
        assertThrows(IllegalArgumentException.class, () -> new GroupingConfig(0.05f, 0.3f, Float.NaN));
        assertTrue(GroupingConfig.DEFAULTS.nearTie() == 0.02f);
    }
}
