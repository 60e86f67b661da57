package io.pseudolabel.job.label;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelTallyTest {
    private static LabelTally.Written ok(String uri) {
        return new LabelTally.Written(uri, "OK", null);
    }

    private static LabelTally.Written bad(String uri) {
        return new LabelTally.Written(uri, "BAD_IMAGE", "cannot decode " + uri);
    }

    @Test
    void countsEachStatusAndKeepsTheFirstErrorsByUri() {
        LabelTally t = new LabelTally();
        assertTrue(t.isZero());
        for (String u : List.of("s3://b/g.jpg", "s3://b/a.jpg", "s3://b/z.jpg", "s3://b/c.jpg", "s3://b/x.jpg",
                "s3://b/b.jpg", "s3://b/d.jpg")) {
            t.add(bad(u));
        }
        t.add(ok("s3://b/0.jpg"));
        t.add(new LabelTally.Written("s3://b/1.jpg", "MODEL_ERROR", null));
        assertFalse(t.isZero());
        assertEquals(Map.of("BAD_IMAGE", 7L, "OK", 1L, "MODEL_ERROR", 1L), t.value().counts());
        assertEquals(List.of("BAD_IMAGE", "MODEL_ERROR", "OK"), List.copyOf(t.value().counts().keySet()));
        // the five smallest uris among the failed rows, in uri order; a MODEL_ERROR without a message gives ""
        assertEquals(List.of("", "cannot decode s3://b/a.jpg", "cannot decode s3://b/b.jpg",
                "cannot decode s3://b/c.jpg", "cannot decode s3://b/d.jpg"), t.value().firstErrors());
    }

    @Test
    void mergingTasksGivesWhatOneTaskSeeingEverythingGives() {
        LabelTally whole = new LabelTally();
        LabelTally a = new LabelTally();
        LabelTally b = new LabelTally();
        for (int i = 0; i < 40; i++) {
            LabelTally.Written w = i % 3 == 0 ? bad(String.format("f/%02d.png", 39 - i)) : ok("f/" + i + ".png");
            whole.add(w);
            (i < 25 ? a : b).add(w);
        }
        LabelTally merged = a.copy();
        merged.merge(b);
        assertEquals(whole.value(), merged.value());
        assertEquals(5, merged.value().firstErrors().size());
        assertEquals(Map.of("OK", 26L, "BAD_IMAGE", 14L), merged.value().counts());
        // copy() is independent of its source, reset() empties
        a.reset();
        assertTrue(a.isZero());
        assertEquals(whole.value(), merged.value());
    }
}
