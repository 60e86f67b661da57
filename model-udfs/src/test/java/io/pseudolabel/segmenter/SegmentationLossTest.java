package io.pseudolabel.segmenter;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SegmentationLossTest {

    @Test
    void meanOverNonIgnoredPixelsOnly() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), SegmenterTrainer.ENGINE)) {
            float ln3 = (float) Math.log(3);
            // B=1, C=2, H=1, W=3; channel-major: class 0 logits, then class 1 logits.
            NDArray logits = m.create(new float[] {0, 0, 100, 0, ln3, -100}, new Shape(1, 2, 1, 3));
            // pixel 0: p(0)=1/2; pixel 1: p(1)=3/4; pixel 2 is ignored (and would cost ~200 as class 1).
            NDArray labels = m.create(new long[] {0, 1, 255}, new Shape(1, 1, 3));
            float loss = SegmentationLoss.crossEntropy(logits, labels).getFloat();
            assertEquals((Math.log(2) + Math.log(4.0 / 3)) / 2, loss, 1e-6);

            NDArray labels2 = m.create(new long[] {0, 1, 1}, new Shape(1, 1, 3));
            assertEquals((Math.log(2) + Math.log(4.0 / 3) + 200) / 3,
                    SegmentationLoss.crossEntropy(logits, labels2).getFloat(), 1e-4);
        }
    }

    @Test
    void allIgnoredGivesZero() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), SegmenterTrainer.ENGINE)) {
            NDArray logits = m.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new Shape(2, 2, 1, 2));
            NDArray labels = m.create(new long[] {255, 255, 255, 255}, new Shape(2, 1, 2));
            assertEquals(0.0, SegmentationLoss.crossEntropy(logits, labels).getFloat(), 0.0);
        }
    }
}
