package io.pseudolabel.job.classify;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifyResultTest {
    @Test
    void scoresMatchGroundTruthByIdAndTheRestIsCountedNotScored() {
        Map<String, boolean[]> truth = new LinkedHashMap<>();
        truth.put("a", new boolean[] {true, false});
        truth.put("b", new boolean[] {false, true});
        truth.put("c", new boolean[] {true, false});
        truth.put("failed", new boolean[] {true, true});
        truth.put("missing", new boolean[] {false, true});
        GroundTruth gt = new GroundTruth(List.of("cat", "dog"), truth, "test");
        Map<String, ImageScores> scores = new LinkedHashMap<>();
        scores.put("extra", ImageScores.ok("extra", new float[] {1f, 1f}));
        scores.put("c", ImageScores.ok("c", new float[] {0.6f, 0.7f}));
        scores.put("a", ImageScores.ok("a", new float[] {0.9f, 0.1f}));
        scores.put("b", ImageScores.ok("b", new float[] {0.7f, 0.8f}));
        scores.put("failed", ImageScores.failed("failed", "BAD_IMAGE: broken"));

        ClassifyResult r = ClassifyResult.of(gt, scores, "scores", 0);
        // cat: a 0.9 (+), b 0.7 (-), c 0.6 (+) → 1·1/2 + 2/3·1/2 = 5/6; dog: b 0.8 (+) first → 1
        assertEquals(3, r.numImages());
        assertEquals(5.0 / 6.0, r.perClassAp().get("cat"), 1e-12);
        assertEquals(1.0, r.perClassAp().get("dog"), 0);
        assertEquals((5.0 / 6.0 + 1) / 2, r.map(), 1e-12);
        assertEquals(1, r.errorCount());
        assertEquals(List.of("failed: BAD_IMAGE: broken"), r.errors());
        assertEquals(1, r.missingCount());
        assertEquals(List.of("missing"), r.missing());
        assertEquals(1, r.notInGroundTruth());
        JsonObject o = JsonParser.parseString(r.toJson()).getAsJsonObject();
        assertEquals(r.map(), o.get("map").getAsDouble(), 0);
        assertEquals(2, o.getAsJsonObject("positives").get("cat").getAsInt());
        assertTrue(r.table().contains("no scores"), r.table());
        assertTrue(r.toMarkdown().contains("| cat | 0.8333 |"), r.toMarkdown());
    }
}
