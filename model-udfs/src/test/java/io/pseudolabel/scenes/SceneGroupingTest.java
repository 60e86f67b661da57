package io.pseudolabel.scenes;

import io.pseudolabel.masks.Candidate;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.GroupedMask;
import io.pseudolabel.masks.Grouping;
import io.pseudolabel.masks.InstanceMask;
import io.pseudolabel.masks.OverlapRule;
import io.pseudolabel.masks.Selection;
import io.pseudolabel.masks.SemanticComposer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scene ground truth run through grouping and composition as a perfect SAM would answer. */
class SceneGroupingTest {

    @Test
    void wholeOverPartRecoversTheGroundTruthWhereTheBaselineKeepsParts() {
        SceneGenerator gen = new SceneGenerator(FixtureWorld.load(), 3);
        Grouping grouping = new Grouping();
        for (int i = 0; i < 10; i++) {
            Scene s = gen.scene(i);
            List<InstanceMask> ours = new ArrayList<>();
            List<InstanceMask> baseline = new ArrayList<>();
            long missed = 0;
            for (SceneObject o : s.objects()) {
                // Like the fixture SAM: the part scored highest, then the subpart, the whole last.
                List<Candidate> candidates = List.of(
                        new Candidate(0, o.subpart(), 0.90f),
                        new Candidate(1, o.part(), 0.95f),
                        new Candidate(2, o.visible(), 0.80f));
                GroupedMask whole = grouping.select(o.box(), candidates).orElseThrow();
                assertEquals(2, whole.candidate());
                assertEquals(1.0f, whole.boxIou());
                assertEquals(o.visible(), whole.mask());
                ours.add(new InstanceMask(o.classId(), 0.5f, whole.mask()));
                // The baseline takes the part (the whole only when the part is covered up) and drops the
                // object when the part's box is under min-box-iou.
                var part = grouping.select(o.box(), candidates, Selection.HIGHEST_PREDICTED_IOU);
                part.ifPresent(g -> assertEquals(o.part().isEmpty() ? 2 : 1, g.candidate()));
                part.ifPresent(g -> baseline.add(new InstanceMask(o.classId(), 0.5f, g.mask())));
                missed += o.visible().area() - part.map(g -> g.mask().area()).orElse(0);
            }
            int w = s.image().width(), h = s.image().height();
            for (OverlapRule rule : OverlapRule.values()) {
                assertEquals(s.truth(), SemanticComposer.compose(w, h, ours, rule), s.id() + " " + rule);
            }
            ClassMap partsOnly = SemanticComposer.compose(w, h, baseline);
            long wrong = 0;
            for (int p = 0; p < partsOnly.ids().length; p++) {
                wrong += partsOnly.ids()[p] != s.truth().ids()[p] ? 1 : 0;
            }
            // Objects never overlap in the ground truth, so the baseline is wrong on exactly the pixels
            // of each object outside the part it kept.
            assertEquals(missed, wrong, s.id());
            assertTrue(wrong > 0, s.id());
        }
    }
}
