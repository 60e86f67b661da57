package io.pseudolabel.job.eval;

import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.TestSpark;
import io.pseudolabel.masks.CocoRle;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eval's COCO ground truth read in shards (issue 19): the driver keeps no image, each executor task keeps its
 * share of the ids, and the shards together are exactly the whole file's images and ground-truth maps.
 */
class CocoShardTest {
    private static final ImageLimits LIMITS = TestSpark.limits();

    private static CocoInstances parse(LongPredicate keep) throws IOException {
        String compressed = CocoRle.compress(new int[] {24, 1, 4, 1});
        return CocoInstances.parse(new StringReader(CocoRasterTest.JSON.replace("%s", compressed)), keep);
    }

    @Test
    void driverPassKeepsNoImageButCountsThemAndTheClasses() throws IOException {
        CocoInstances all = CocoRasterTest.parse();
        CocoInstances none = parse(id -> false);
        assertTrue(none.images().isEmpty());
        assertEquals(all.images().size(), none.imageCount());
        assertEquals(all.classNames(), none.classNames());
    }

    @Test
    void shardsTogetherAreTheWholeFile() throws IOException {
        CocoInstances all = CocoRasterTest.parse();
        for (int shards : new int[] {1, 2, 3, 7}) {
            Map<String, String> maps = new TreeMap<>();
            List<Long> ids = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                int shard = s;
                int n = shards;
                for (CocoInstances.Image im : parse(id -> Math.floorMod(id, (long) n) == shard).images()) {
                    assertEquals(shard, Math.floorMod(im.id(), (long) n), "image " + im.id() + " in shard " + shard);
                    ids.add(im.id());
                    maps.put(im.key(), groundTruth(im));
                }
            }
            assertEquals(all.images().size(), ids.size(), shards + " shards");
            for (CocoInstances.Image im : all.images()) {
                assertEquals(groundTruth(im), maps.get(im.key()), "image " + im.id());
            }
        }
    }

    /** The image's semantic map, or the error rasterising it gives (the fixture has one of each kind). */
    private static String groundTruth(CocoInstances.Image im) {
        try {
            return Arrays.toString(im.rasterise(LIMITS).ids());
        } catch (IllegalArgumentException e) {
            return "error: " + e.getMessage();
        }
    }

    @Test
    void shardCountFollowsTheFileSize() {
        assertEquals(2, EvalInputs.cocoShards(1_000, 10, 2));
        assertEquals(7, EvalInputs.cocoShards(448L << 20, 118_287, 2));
        assertEquals(8, EvalInputs.cocoShards((448L << 20) + 1, 118_287, 2));
        assertEquals(3, EvalInputs.cocoShards(448L << 20, 3, 2)); // never more tasks than images
        assertEquals(1, EvalInputs.cocoShards(0, 0, 2));
    }
}
