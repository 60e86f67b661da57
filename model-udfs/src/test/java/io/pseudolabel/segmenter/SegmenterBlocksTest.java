package io.pseudolabel.segmenter;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.pseudolabel.image.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmenterBlocksTest {

    static SegmenterConfig tiny(int classes) {
        return new SegmenterConfig(18, classes, 8, 16, 8, 16, 0f, 64, 0.5f, 1.5f, CropMode.RANDOM, true, 2, Optimizer.ADAM, 1e-3f, 0.9f, 0f, 0, 7L);
    }

    private static Shape[] run(Block block, NDManager m, Shape... in) {
        block.initialize(m, DataType.FLOAT32, in);
        NDList xs = new NDList();
        for (Shape s : in) {
            xs.add(m.randomNormal(s));
        }
        NDList out = block.forward(new ParameterStore(m, false), xs, false);
        Shape[] shapes = new Shape[out.size()];
        for (int i = 0; i < out.size(); i++) {
            shapes[i] = out.get(i).getShape();
        }
        assertArrayEquals(block.getOutputShapes(in), shapes, "declared vs actual output shapes");
        return shapes;
    }

    @Test
    void backboneHasStrides4And16ForBasicAndBottleneckUnits() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), SegmenterTrainer.ENGINE)) {
            Shape[] basic = run(new ResNetBackbone(tiny(3)), m, new Shape(2, 3, 64, 96));
            assertEquals(new Shape(2, 8, 16, 24), basic[0]);
            assertEquals(new Shape(2, 64, 4, 6), basic[1]);

            SegmenterConfig r50 = new SegmenterConfig(50, 3, 4, 8, 8, 8, 0f, 64, 1f, 1f, CropMode.RANDOM, true, 1, Optimizer.SGD, 1e-3f, 0.9f, 0f, 0, 1L);
            Shape[] bottleneck = run(new ResNetBackbone(r50), m, new Shape(1, 3, 48, 32));
            assertEquals(new Shape(1, 16, 12, 8), bottleneck[0]);
            assertEquals(new Shape(1, 128, 3, 2), bottleneck[1]);
        }
    }

    @Test
    void asppAndDecoderShapes() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), SegmenterTrainer.ENGINE)) {
            SegmenterConfig c = tiny(5);
            assertEquals(new Shape(2, 16, 4, 5), run(new Aspp(c), m, new Shape(2, 64, 4, 5))[0]);
            assertEquals(new Shape(2, 5, 16, 20),
                    run(new DeepLabDecoder(c), m, new Shape(2, 8, 16, 20), new Shape(2, 16, 4, 5))[0]);
        }
    }

    @Test
    void modelOutputMatchesInputSize() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), SegmenterTrainer.ENGINE)) {
            assertEquals(new Shape(2, 4, 64, 80), run(new DeepLabV3Plus(tiny(4)), m, new Shape(2, 3, 64, 80))[0]);
        }
    }

    @Test
    void predictionKeepsTheImageSizeIncludingSizesNotMultipleOf16() {
        try (SegmenterTrainer t = new SegmenterTrainer(tiny(4), Device.cpu())) {
            Random rnd = new Random(3);
            for (int[] wh : new int[][] {{64, 64}, {37, 23}, {50, 81}, {17, 16}}) {
                byte[] rgb = new byte[wh[0] * wh[1] * 3];
                rnd.nextBytes(rgb);
                byte[] pred = t.predict(new RgbImage(wh[0], wh[1], rgb));
                assertEquals(wh[0] * wh[1], pred.length);
                for (byte p : pred) {
                    assertTrue((p & 0xff) < 4);
                }
            }
        }
    }
}
