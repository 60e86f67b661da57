package io.pseudolabel.masks;

import io.pseudolabel.geom.Box;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SemanticComposerTest {

    private static final byte X = (byte) 255;

    private static BitMask rect(int x0, int y0, int x1, int y1) {
        return BitMask.ofBox(4, 3, new Box(x0, y0, x1, y1));
    }

    // A: class 1, columns 0..2 x rows 0..2 (9 px, score 0.9); B: class 2, columns 2..3 x rows 1..2 (4 px,
    // score 0.5). They share (2,1) and (2,2).
    private static final InstanceMask A = new InstanceMask(1, 0.9f, rect(0, 0, 3, 3));
    private static final InstanceMask B = new InstanceMask(2, 0.5f, rect(2, 1, 4, 3));

    @Test
    void smallerOnTopIsTheDefault() {
        byte[] expected = {
            1, 1, 1, 0,
            1, 1, 2, 2,
            1, 1, 2, 2};
        assertArrayEquals(expected, SemanticComposer.compose(4, 3, List.of(A, B)).ids());
        assertArrayEquals(expected, SemanticComposer.compose(4, 3, List.of(B, A), OverlapRule.SMALLER_ON_TOP).ids());
    }

    @Test
    void scoreLetsTheHigherScoreWin() {
        byte[] expected = {
            1, 1, 1, 0,
            1, 1, 1, 2,
            1, 1, 1, 2};
        assertArrayEquals(expected, SemanticComposer.compose(4, 3, List.of(A, B), OverlapRule.SCORE).ids());
        assertArrayEquals(expected, SemanticComposer.compose(4, 3, List.of(B, A), OverlapRule.SCORE).ids());
    }

    @Test
    void ignoreMarksConflictsBetweenClassesOnly() {
        byte[] expected = {
            1, 1, 1, 0,
            1, 1, X, 2,
            1, 1, X, 2};
        assertArrayEquals(expected, SemanticComposer.compose(4, 3, List.of(A, B), OverlapRule.IGNORE).ids());
        // A third instance of class 1 over column 0..1 changes nothing; a class-1 instance over the
        // conflict keeps it 255.
        InstanceMask sameClass = new InstanceMask(1, 0.1f, rect(0, 0, 2, 3));
        InstanceMask overConflict = new InstanceMask(1, 0.1f, rect(2, 2, 3, 3));
        assertArrayEquals(expected, SemanticComposer.compose(4, 3,
                List.of(A, sameClass, B, overConflict), OverlapRule.IGNORE).ids());
    }

    @Test
    void tiesAreBrokenDeterministically() {
        // Equal areas: c3 is column 1, c4 is row 1 (3 px each, columns 0..2); they share pixel (1,1).
        InstanceMask c3 = new InstanceMask(3, 0.5f, rect(1, 0, 2, 3));
        InstanceMask c4 = new InstanceMask(4, 0.5f, rect(0, 1, 3, 2));
        assertEquals(3, c3.mask().area());
        assertEquals(3, c4.mask().area());
        // Equal area and score: the earlier instance wins the shared pixel (1,1).
        assertEquals(3, SemanticComposer.compose(4, 3, List.of(c3, c4)).get(1, 1));
        assertEquals(4, SemanticComposer.compose(4, 3, List.of(c4, c3)).get(1, 1));
        assertEquals(3, SemanticComposer.compose(4, 3, List.of(c3, c4), OverlapRule.SCORE).get(1, 1));
        // Equal area: the higher score wins under smaller-on-top.
        InstanceMask c4Sure = new InstanceMask(4, 0.8f, c4.mask());
        assertEquals(4, SemanticComposer.compose(4, 3, List.of(c3, c4Sure)).get(1, 1));
        // Equal score: the smaller wins under score.
        InstanceMask big = new InstanceMask(5, 0.5f, rect(0, 0, 4, 3));
        assertEquals(3, SemanticComposer.compose(4, 3, List.of(big, c3), OverlapRule.SCORE).get(1, 1));
    }

    @Test
    void emptyInputIsAllBackgroundAndBadInputFails() {
        assertArrayEquals(new byte[12], SemanticComposer.compose(4, 3, List.of()).ids());
        assertThrows(IllegalArgumentException.class,
                () -> SemanticComposer.compose(5, 3, List.of(A)));
        assertThrows(IllegalArgumentException.class, () -> new InstanceMask(0, 1f, rect(0, 0, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> new InstanceMask(255, 1f, rect(0, 0, 1, 1)));
    }

    @Test
    void overlapRuleConfigNames() {
        assertEquals(OverlapRule.SMALLER_ON_TOP, OverlapRule.fromConfig("smaller-on-top"));
        assertEquals(OverlapRule.SCORE, OverlapRule.fromConfig(" Score "));
        assertEquals("ignore", OverlapRule.IGNORE.configName());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OverlapRule.fromConfig("biggest"));
        assertEquals("grouping.overlap must be one of [smaller-on-top, score, ignore], got \"biggest\"", e.getMessage());
    }
}
