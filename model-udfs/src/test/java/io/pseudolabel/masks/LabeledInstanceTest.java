package io.pseudolabel.masks;

import io.pseudolabel.geom.Box;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LabeledInstanceTest {

    @Test
    void carriesTheGroupingResultAndItsRle() {
        // 2x2 mask "#." / "##" is RLE "021O" (derived in CocoRleTest).
        BitMask mask = BitMaskTest.parse("#.", "##");
        GroupedMask grouped = new GroupedMask(2, mask, 1.0f, 0.8f);
        LabeledInstance inst = LabeledInstance.of(3, "car", new Box(0, 0, 2, 2), 0.6f, grouped);
        assertEquals(new LabeledInstance(3, "car", new Box(0, 0, 2, 2), 0.6f, 0.8f, 2, new CocoRle.Rle(2, 2, "021O")), inst);
        assertEquals(mask, inst.mask());
        assertThrows(IllegalArgumentException.class,
                () -> new LabeledInstance(0, "bg", new Box(0, 0, 1, 1), 1f, 1f, 0, new CocoRle.Rle(1, 1, "1")));
    }
}
