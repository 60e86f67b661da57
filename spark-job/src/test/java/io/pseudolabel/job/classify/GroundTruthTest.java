package io.pseudolabel.job.classify;

import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.Layout;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroundTruthTest {
    private static ImageRef ref(String id, String... labels) {
        return new ImageRef(id, "/data/img/" + id + ".jpg", 1, 1, List.of(labels), List.of());
    }

    @Test
    void imageLabelsBecomeOneFlagPerClassMatchedWithoutCase() {
        GroundTruth gt = GroundTruth.from(List.of(ref("a", "Dog", "cat"), ref("b"), ref("c", "potted plant")),
                List.of("cat", "dog", "potted plant"), Layout.VOC, "/data/voc", "");
        assertEquals(List.of("a", "b", "c"), gt.imageIds());
        assertArrayEquals(new boolean[] {true, true, false}, gt.positives().get("a"));
        assertArrayEquals(new boolean[] {false, false, false}, gt.positives().get("b"));
        assertArrayEquals(new boolean[] {false, false, true}, gt.positives().get("c"));
        assertTrue(gt.description().contains("3 images, 3 image labels"), gt.description());
    }

    @Test
    void badGroundTruthNamesTheFile() {
        List<String> classes = List.of("cat", "dog");
        var voc = assertThrows(IllegalArgumentException.class, () -> GroundTruth.from(List.of(ref("x1", "horse")),
                classes, Layout.VOC, "/data/voc", ""));
        assertTrue(voc.getMessage().startsWith("file:///data/voc/Annotations/x1.xml: ground-truth class 'horse'"),
                voc.getMessage());
        var coco = assertThrows(IllegalArgumentException.class, () -> GroundTruth.from(List.of(ref("x2", "zebra")),
                classes, Layout.COCO, "/data/img", "/data/instances_val2014.json"));
        assertTrue(coco.getMessage().startsWith("/data/instances_val2014.json (image /data/img/x2.jpg): ground-truth "
                + "class 'zebra'"), coco.getMessage());
        var twice = assertThrows(IllegalArgumentException.class, () -> GroundTruth.from(List.of(ref("d", "cat"),
                ref("d", "dog")), classes, Layout.VOC, "/data/voc", ""));
        assertTrue(twice.getMessage().contains("'d' is listed twice"), twice.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> GroundTruth.from(List.of(ref("e")), classes,
                Layout.COCO, "/data/img", "/data/instances_val2014.json"));
        assertTrue(none.getMessage().startsWith("no ground-truth label in 1 images of /data/instances_val2014.json"),
                none.getMessage());
    }
}
