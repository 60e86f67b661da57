package io.pseudolabel.segmenter;

import ai.djl.Device;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.masks.ClassMap;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmenterTrainerTest {

    /** ResNet-18, base 8, 32x32 crops at scale 1, batch 4. */
    static SegmenterConfig config(String optimizer, long seed) {
        Optimizer o = Optimizer.parse(optimizer);
        return new SegmenterConfig(18, 3, 8, 16, 8, 16, 0f, 32, 1f, 1f, CropMode.RANDOM, true, 4, o,
                o == Optimizer.ADAM ? 3e-3f : 0.05f, 0.9f, 1e-4f, 0, seed);
    }

    /** 48x48 grey images with a red square (class 1) and a blue square (class 2), 255 on a border ring. */
    static List<Sample> squares(int count, long seed) {
        Random rnd = new Random(seed);
        List<Sample> out = new ArrayList<>();
        int n = 48;
        for (int k = 0; k < count; k++) {
            byte[] rgb = new byte[n * n * 3];
            byte[] ids = new byte[n * n];
            for (int i = 0; i < n * n; i++) {
                int g = 100 + rnd.nextInt(30);
                rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = (byte) g;
            }
            for (int cls = 1; cls <= 2; cls++) {
                int size = 10 + rnd.nextInt(8);
                int x0 = rnd.nextInt(n - size);
                int y0 = rnd.nextInt(n - size);
                for (int y = y0; y < y0 + size; y++) {
                    for (int x = x0; x < x0 + size; x++) {
                        int i = y * n + x;
                        ids[i] = (byte) cls;
                        rgb[i * 3] = (byte) (cls == 1 ? 220 : 30);
                        rgb[i * 3 + 1] = 40;
                        rgb[i * 3 + 2] = (byte) (cls == 1 ? 30 : 220);
                    }
                }
            }
            for (int x = 0; x < n; x++) {
                ids[x] = (byte) 255;
            }
            out.add(new Sample(new RgbImage(n, n, rgb), new ClassMap(n, n, ids)));
        }
        return out;
    }

    private static float fixedLoss(SegmenterTrainer t, List<Augmenter.Crop> crops) {
        // Evaluate a batch loss without changing the weights: train on a copy and restore.
        SegmenterWeights w = t.snapshot();
        SegmenterWeights o = t.optimizerSnapshot();
        float l = t.trainBatch(crops);
        t.load(w);
        t.loadOptimizerState(o);
        return l;
    }

    @Test
    void aFewStepsReduceTheLoss() {
        List<Sample> data = squares(6, 1);
        Augmenter aug = new Augmenter(32, 1f, 1f);
        Random r = new Random(9);
        List<Augmenter.Crop> probe = new ArrayList<>();
        for (Sample s : data.subList(0, 4)) {
            probe.add(aug.augment(s, r));
        }
        for (String opt : new String[] {"adam", "sgd"}) {
            try (SegmenterTrainer t = new SegmenterTrainer(config(opt, 1), Device.cpu())) {
                float before = fixedLoss(t, probe);
                float first = t.trainSteps(data, 5, new Random(2));
                t.trainSteps(data, 10, new Random(3));
                float last = t.trainSteps(data, 5, new Random(4));
                float after = fixedLoss(t, probe);
                assertEquals(20, t.steps());
                assertEquals(80 + 8, t.samplesSeen()); // fixedLoss trains (and undoes) two batches
                assertTrue(after < 0.6f * before, opt + ": probe loss " + before + " -> " + after);
                assertTrue(last < first, opt + ": mean loss " + first + " -> " + last);
            }
        }
    }

    @Test
    void weightsRoundTripGivesIdenticalPredictions() {
        List<Sample> data = squares(4, 2);
        try (SegmenterTrainer a = new SegmenterTrainer(config("adam", 1), Device.cpu());
                SegmenterTrainer b = new SegmenterTrainer(config("adam", 2), Device.cpu())) {
            a.trainSteps(data, 3, new Random(1));
            assertNotEquals(a.snapshot(), b.snapshot());
            byte[] bytes = a.weights();
            b.load(bytes);
            assertEquals(a.snapshot(), b.snapshot());
            for (Sample s : data) {
                assertArrayEquals(a.predict(s.image()), b.predict(s.image()));
            }
            RgbImage odd = new RgbImage(21, 13, new byte[21 * 13 * 3]);
            assertArrayEquals(a.predict(odd), b.predict(odd));
        }
    }

    @Test
    void optimizerStateRoundTripContinuesIdentically() {
        List<Sample> data = squares(4, 3);
        for (String opt : new String[] {"adam", "sgd"}) {
            try (SegmenterTrainer a = new SegmenterTrainer(config(opt, 1), Device.cpu());
                    SegmenterTrainer b = new SegmenterTrainer(config(opt, 2), Device.cpu())) {
                a.trainSteps(data, 3, new Random(1));
                b.load(a.weights());
                b.loadOptimizerState(a.optimizerState());
                assertEquals(3, b.steps());
                float la = a.trainSteps(data, 2, new Random(5));
                float lb = b.trainSteps(data, 2, new Random(5));
                assertEquals(la, lb, 1e-5f);
                SegmenterWeights wa = a.snapshot();
                SegmenterWeights wb = b.snapshot();
                for (String n : wa.names()) {
                    assertArrayEquals(wa.get(n).data(), wb.get(n).data(), 1e-5f, n);
                }
            }
        }
    }

    @Test
    void averageOfTwoTrainersIsTheElementwiseMean() {
        try (SegmenterTrainer a = new SegmenterTrainer(config("sgd", 1), Device.cpu());
                SegmenterTrainer b = new SegmenterTrainer(config("sgd", 2), Device.cpu());
                SegmenterTrainer c = new SegmenterTrainer(config("sgd", 3), Device.cpu())) {
            a.trainSteps(squares(4, 4), 1, new Random(1));
            SegmenterWeights wa = a.snapshot();
            SegmenterWeights wb = b.snapshot();
            SegmenterWeights mean = new WeightAverager.Sum().add(wa).merge(new WeightAverager.Sum().add(wb)).mean();
            c.load(mean.toBytes());
            SegmenterWeights wc = c.snapshot();
            for (String n : wa.names()) {
                float[] x = wa.get(n).data();
                float[] y = wb.get(n).data();
                float[] m = wc.get(n).data();
                for (int i = 0; i < x.length; i++) {
                    assertEquals((x[i] + y[i]) / 2f, m[i], n);
                }
            }
        }
    }

    @Test
    void tensorsHaveDocumentedNamesAndOldDjlNamedFilesStillLoad() {
        try (SegmenterTrainer a = new SegmenterTrainer(config("sgd", 1), Device.cpu())) {
            a.trainSteps(squares(4, 5), 1, new Random(1));
            SegmenterWeights w = a.snapshot();
            for (String n : List.of("backbone.conv1.weight", "backbone.bn1.running_var", "backbone.layer1.1.conv2.weight",
                    "backbone.layer2.0.downsample.0.weight", "backbone.layer4.1.bn2.bias", "aspp.b0.conv.weight",
                    "aspp.b3.bn.running_mean", "aspp.pool.conv.bias", "aspp.project.bn.weight",
                    "decoder.reduce.conv.weight", "decoder.fuse.1.bn.running_var", "decoder.classifier.bias")) {
                assertTrue(w.names().contains(n), n + " in " + w.names());
            }
            assertEquals(a.parameterShapes().keySet(), w.names());
            SegmenterWeights o = a.optimizerSnapshot();
            assertTrue(o.names().contains("m.backbone.layer1.0.conv1.weight"), o.names().toString());
            assertTrue(o.names().contains("step"));
            // The same tensors under DJL's parameter names, as weights.bin / optimizer.bin held them before.
            LinkedHashMap<String, SegmenterWeights.Tensor> legacy = new LinkedHashMap<>();
            LinkedHashMap<String, SegmenterWeights.Tensor> legacyOpt = new LinkedHashMap<>();
            legacyOpt.put("step", o.get("step"));
            for (var p : a.block().getParameters()) {
                String doc = TensorNames.documented(p.getKey());
                legacy.put(p.getKey(), w.get(doc));
                if (o.names().contains("m." + doc)) {
                    legacyOpt.put("m/" + p.getKey(), o.get("m." + doc));
                }
            }
            SegmenterWeights old = SegmenterWeights.fromBytes(new SegmenterWeights(legacy).toBytes());
            assertEquals(w, TensorNames.fromDjlNames(old));
            assertEquals(o, TensorNames.fromDjlNames(new SegmenterWeights(legacyOpt)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.load(old));
            assertTrue(e.getMessage().contains("backbone.conv1.weight"), e.getMessage());
        }
    }

    @Test
    void rejectsLabelsOutsideTheClasses() {
        List<Sample> bad = squares(1, 7);
        bad.get(0).labels().ids()[100] = 9;
        try (SegmenterTrainer t = new SegmenterTrainer(config("adam", 1), Device.cpu())) {
            Augmenter.Crop c = Augmenter.crop(Augmenter.normalise(bad.get(0).image()), bad.get(0).labels().ids(),
                    48, 48, 32, 0, 0, false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.trainBatch(List.of(c)));
            assertTrue(e.getMessage().contains("label id 9"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.load(new byte[] {1, 2, 3}));
        }
    }
}
