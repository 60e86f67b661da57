package io.pseudolabel.job.label;

import io.pseudolabel.config.Supervision;
import io.pseudolabel.geom.Box;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.labeler.GivenBox;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The given-annotations part of the carry-over key. */
class CarryOverTest {
    static ImageRef ref(List<String> labels, List<GivenBox> boxes) {
        return new ImageRef("a", "file:/d/a.jpg", 10, 20, labels, boxes);
    }

    static final List<GivenBox> BOXES = List.of(new GivenBox("cat", new Box(1, 2, 30, 40)),
            new GivenBox("dog", new Box(5, 6, 70, 80)));

    @Test
    void onlyWhatTheModeUsesCounts() {
        assertNull(CarryOver.annotationsSha256(ref(List.of("cat"), BOXES), Supervision.NONE));
        String labels = CarryOver.annotationsSha256(ref(List.of("cat", "dog"), BOXES), Supervision.IMAGE_LABELS);
        assertEquals(64, labels.length());
        // image-labels reads the labels, not the boxes
        assertEquals(labels, CarryOver.annotationsSha256(ref(List.of("cat", "dog"), List.of()), Supervision.IMAGE_LABELS));
        assertNotEquals(labels, CarryOver.annotationsSha256(ref(List.of("cat"), BOXES), Supervision.IMAGE_LABELS));
        assertNotEquals(labels, CarryOver.annotationsSha256(ref(List.of("cat", "dog", "cow"), BOXES),
                Supervision.IMAGE_LABELS));
        // boxes reads the boxes: a corner moved by a pixel, a renamed box or one box less changes the key
        String boxes = CarryOver.annotationsSha256(ref(List.of(), BOXES), Supervision.BOXES);
        assertEquals(boxes, CarryOver.annotationsSha256(ref(List.of("other"), BOXES), Supervision.BOXES));
        assertNotEquals(boxes, CarryOver.annotationsSha256(ref(List.of(), List.of(BOXES.get(0),
                new GivenBox("dog", new Box(5, 6, 71, 80)))), Supervision.BOXES));
        assertNotEquals(boxes, CarryOver.annotationsSha256(ref(List.of(), List.of(BOXES.get(0),
                new GivenBox("cow", new Box(5, 6, 70, 80)))), Supervision.BOXES));
        assertNotEquals(boxes, CarryOver.annotationsSha256(ref(List.of(), BOXES.subList(0, 1)), Supervision.BOXES));
        // no labels and one empty label are not the same annotation
        assertNotEquals(CarryOver.annotationsSha256(ref(List.of(), List.of()), Supervision.IMAGE_LABELS),
                CarryOver.annotationsSha256(ref(List.of(""), List.of()), Supervision.IMAGE_LABELS));
    }
}
