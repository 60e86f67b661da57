package io.pseudolabel.labeler;

import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.geom.Box;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.image.Sam2ImageProcessor;
import io.pseudolabel.image.SamImageProcessor;
import io.pseudolabel.masks.Selection;
import io.pseudolabel.sam.Sam2Geometry;
import io.pseudolabel.sam.SamFormat;
import io.pseudolabel.sam.SamMaskPostprocessor;
import io.pseudolabel.sam.SamModel;
import io.pseudolabel.scenes.Scene;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SAM 2.1 as the mask model, both export families, on the generated scenes: the same pseudo-label mIoU as SAM
 * 1's fixtures, in every supervision mode; and each way of getting SAM 2.1's geometry wrong costs mIoU.
 */
class Sam2EndToEndTest {
    static final int SCENES = 20;
    /** The bar every correct pipeline clears (as in {@link PseudoLabelerEndToEndTest}). */
    static final double BAR = PseudoLabelerEndToEndTest.BAR;

    static double sam1;
    /** Each family's mIoU with its contract geometry, computed once. */
    static final Map<String, Double> CONTRACT = new ConcurrentHashMap<>();

    static double contract(String dir) {
        return CONTRACT.computeIfAbsent(dir,
                d -> PseudoLabelerEndToEndTest.miou(with(d, Map.of()), Selection.WHOLE_OVER_PART, SCENES));
    }

    static LabelerSettings with(String samFixture, Map<String, String> more) {
        HashMap<String, String> m = new HashMap<>(more);
        m.put("models.sam", Fixtures.model(samFixture).toString());
        return Fixtures.settings(m);
    }

    @BeforeAll
    static void sam1Baseline() {
        sam1 = PseudoLabelerEndToEndTest.miou(Fixtures.settings(), Selection.WHOLE_OVER_PART, SCENES);
        System.out.printf("SAM 1 (official export): pseudo-label mIoU %.4f on %d scenes%n", sam1, SCENES);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"sam2-samexporter", "sam2-hf"})
    void bothFamiliesLabelAsWellAsSam1(String dir) {
        double miou = contract(dir);
        double byPredictedIou = PseudoLabelerEndToEndTest.miou(with(dir, Map.of()), Selection.HIGHEST_PREDICTED_IOU,
                SCENES);
        System.out.printf("SAM 2.1 %s: pseudo-label mIoU %.4f (SAM 1 %.4f); highest predicted IoU %.4f%n", dir, miou,
                sam1, byPredictedIou);
        assertTrue(miou >= BAR, dir + " mIoU " + miou);
        assertEquals(sam1, miou, 0.001, dir + " against SAM 1"); // measured 0.9879 against 0.9877
        // the fixture ranks a part highest, as SAM 1's does: only whole-over-part recovers the objects
        // measured 0.4900 (samexporter) and 0.4899 (onnx-community), as SAM 1's 0.4894
        assertTrue(byPredictedIou >= 0.48 && byPredictedIou <= 0.50, "highest predicted IoU " + byPredictedIou);
    }

    @ParameterizedTest(name = "{0}, supervision {1}")
    @CsvSource({"sam2-samexporter, image-labels", "sam2-samexporter, boxes", "sam2-hf, image-labels", "sam2-hf, boxes"})
    void supervisedModesLabelAsWell(String dir, String mode) {
        double miou = PseudoLabelerEndToEndTest.miou(with(dir, Map.of("supervision", mode)), Selection.WHOLE_OVER_PART,
                8);
        System.out.printf("SAM 2.1 %s, supervision %s: mIoU %.4f on 8 scenes%n", dir, mode, miou);
        assertTrue(miou >= BAR, dir + " " + mode + " mIoU " + miou);
    }

    @Test
    void aFailedEncoderCallCostsOnlyTheImagesInIt() {
        LabelerSettings s = with("sam2-hf", Map.of("supervision", "boxes", "sam.image-batch-size", "2"));
        List<String> classes = PseudoLabelerEndToEndTest.WORLD.classNames();
        try (ModelSet models = ModelSet.load(s, s.runtime())) {
            assertEquals(2, models.sam().encoderBatch());
            PseudoLabeler labeler = new PseudoLabeler(models, s, classes, (ImageClassifier) null,
                    Selection.WHOLE_OVER_PART);
            List<Prepared> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Scene scene = SceneImages.scene(i);
                batch.add(labeler.prepare(new ImageInput(scene.id(), scene.id() + ".jpg", SceneImages.jpeg(scene),
                        List.of(), scene.objects().stream()
                                .map(o -> new GivenBox(o.name(), o.box())).toList())));
            }
            // image 2's encoder input is broken: the call it shares with image 3 fails, the calls for 0+1 and 4 run
            Prepared bad = batch.get(2);
            batch.set(2, new Prepared(bad.input(), bad.image(), bad.clipPixels(), bad.dinoPixels(), new float[10],
                    null));
            List<LabelResult> out = labeler.label(batch);
            for (int i : new int[] {0, 1, 4}) {
                assertEquals(LabelStatus.OK, out.get(i).status(), out.get(i).error());
                assertTrue(!out.get(i).instances().isEmpty());
            }
            for (int i : new int[] {2, 3}) {
                assertEquals(LabelStatus.MODEL_ERROR, out.get(i).status());
                assertTrue(out.get(i).error().startsWith(batch.get(i).input().uri() + ": ")
                        && out.get(i).error().contains("3x1024x1024"), out.get(i).error());
            }
        }
    }

    // ---- negative controls: the contract geometry with one step done the way SAM 1 does it (or not done).
    // The fixture models classify colours wherever they are, so only a step that disagrees with the others shows:
    // SAM 1's geometry applied consistently to all three steps (letterbox in, one scale, crop out) labels these
    // scenes as well as the contract does (0.9877 when measured), though a real SAM 2.1, trained on stretched
    // frames, would not see what it was trained on.

    /** The encoder input made like SAM 1's: longest side to 1024, zero-padded bottom/right. */
    record AspectKeptAndPadded(Sam2Geometry contract) implements Sam2Geometry {
        @Override
        public float[] pixelValues(RgbImage image) {
            return new SamImageProcessor().paddedPixelValues(image);
        }

        @Override
        public Box toModelFrame(Box box, int width, int height) {
            return contract.toModelFrame(box, width, height);
        }

        @Override
        public float[] toOriginal(float[] lowRes, int width, int height) {
            return contract.toOriginal(lowRes, width, height);
        }

        @Override
        public String describe() {
            return "aspect kept and padded";
        }
    }

    /** Boxes scaled by one factor for both axes, 1024 / max(W, H), as SAM 1's frame wants them. */
    record OneScaleForBothAxes(Sam2Geometry contract) implements Sam2Geometry {
        @Override
        public float[] pixelValues(RgbImage image) {
            return contract.pixelValues(image);
        }

        @Override
        public Box toModelFrame(Box box, int width, int height) {
            return new SamImageProcessor().toModelFrame(box, width, height);
        }

        @Override
        public float[] toOriginal(float[] lowRes, int width, int height) {
            return contract.toOriginal(lowRes, width, height);
        }

        @Override
        public String describe() {
            return "one scale for both axes";
        }
    }

    /** The 256x256 logits taken as they are: low-res pixel (x, y) read as image pixel (x, y), no upsampling. */
    record NotUpsampled(Sam2Geometry contract) implements Sam2Geometry {
        @Override
        public float[] pixelValues(RgbImage image) {
            return contract.pixelValues(image);
        }

        @Override
        public Box toModelFrame(Box box, int width, int height) {
            return contract.toModelFrame(box, width, height);
        }

        @Override
        public float[] toOriginal(float[] lowRes, int width, int height) {
            int n = SamMaskPostprocessor.LOW_RES;
            float[] out = new float[width * height];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[y * width + x] = x < n && y < n ? lowRes[y * n + x] : -1f;
                }
            }
            return out;
        }

        @Override
        public String describe() {
            return "256x256 not upsampled";
        }
    }

    static UnaryOperator<Sam2Geometry> variant(String name) {
        return switch (name) {
            case "aspect-kept" -> AspectKeptAndPadded::new;
            case "one-scale" -> OneScaleForBothAxes::new;
            case "not-upsampled" -> NotUpsampled::new;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"sam2-hf, aspect-kept", "sam2-hf, one-scale", "sam2-hf, not-upsampled",
        "sam2-samexporter, aspect-kept", "sam2-samexporter, one-scale", "sam2-samexporter, not-upsampled"})
    void aWrongGeometryDropsMiouBelowTheBar(String dir, String wrong) {
        double right = contract(dir);
        double miou = PseudoLabelerEndToEndTest.miou(with(dir, Map.of()), Selection.WHOLE_OVER_PART, SCENES,
                GeometryOverrides.sam2(variant(wrong)));
        System.out.printf("SAM 2.1 %s with %s: pseudo-label mIoU %.4f (contract geometry %.4f)%n", dir, wrong, miou,
                right);
        assertTrue(right >= BAR, "contract geometry " + right);
        assertTrue(miou < BAR, dir + " " + wrong + " mIoU " + miou + " should be below " + BAR);
        assertTrue(miou < right - 0.1, dir + " " + wrong + " mIoU " + miou + " against " + right);
    }

    @Test
    void theVariantsReallyDifferFromTheContract() {
        // guards the controls themselves: each replaces exactly the step it names
        try (SamModel sam = SamModel.load(Fixtures.model("sam2-hf"),
                Fixtures.cpu(), Fixtures.settings().sam())) {
            assertTrue(sam.describe().contains("x*1024/W, y*1024/H"));
        }
        Box box = new Box(10, 20, 110, 220);
        Sam2Geometry c = Sam2Geometry.of(SamFormat.SAM2_HF,
                Sam2ImageProcessor.onnxCommunity());
        assertEquals(new Box(32, 85.333336f, 352, 938.6667f), c.toModelFrame(box, 320, 240));
        assertEquals(new Box(32, 64, 352, 704), new OneScaleForBothAxes(c).toModelFrame(box, 320, 240));
    }
}
