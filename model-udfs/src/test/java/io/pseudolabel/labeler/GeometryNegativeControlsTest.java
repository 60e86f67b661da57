package io.pseudolabel.labeler;

import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.dino.DinoGeometry;
import io.pseudolabel.geom.Box;
import io.pseudolabel.image.SamImageProcessor;
import io.pseudolabel.masks.Selection;
import io.pseudolabel.sam.Sam1Geometry;
import io.pseudolabel.sam.SamMaskPostprocessor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Negative controls for the geometry around each model (SAM 2.1's are in {@link Sam2EndToEndTest}, CLIP's crop in
 * {@link io.pseudolabel.clip.ClipCropControlTest}): each classic
 * mistake, written as a test-only variant of the pure geometry or preprocessing step it replaces, drops the
 * pseudo-label mIoU below the bar the contract geometry clears. Without these, a test of the right geometry alone
 * cannot show that the fixtures would notice a wrong one.
 */
class GeometryNegativeControlsTest {
    /**
     * The bar of {@link PseudoLabelerEndToEndTest}, whose {@code everyExportFlavourLabelsAsWell} shows the contract
     * geometry of each flavour here clearing it (0.9833 on the same 8 scenes).
     */
    static final double BAR = PseudoLabelerEndToEndTest.BAR;

    static LabelerSettings settings(String flavour) {
        Map<String, String> m = new HashMap<>();
        switch (flavour) {
            case "sam" -> { }
            case "sam-hf" -> m.put("models.sam", Fixtures.model("sam-hf").toString());
            case "grounding-dino-hf" -> m.put("models.grounding-dino", Fixtures.model("grounding-dino-hf").toString());
            default -> throw new IllegalArgumentException(flavour);
        }
        return Fixtures.settings(m);
    }

    /** SAM 1: the box given in image pixels, not scaled into the 1024 frame. */
    record BoxNotScaled(Sam1Geometry contract) implements Sam1Geometry {
        @Override
        public Box toModelFrame(Box box, int width, int height) {
            return box;
        }

        @Override
        public float[] toOriginal(float[] lowRes, int width, int height) {
            return contract.toOriginal(lowRes, width, height);
        }
    }

    /** SAM 1: the box scaled to a 1000 frame instead of 1024 (2.3 % short: the kind of error a tight SAM shows). */
    record BoxFrameSlightlyOff(Sam1Geometry contract) implements Sam1Geometry {
        @Override
        public Box toModelFrame(Box box, int width, int height) {
            int[] s = SamImageProcessor.resizedSize(width, height, 1000);
            return new Box(box.x1() * s[0] / width, box.y1() * s[1] / height, box.x2() * s[0] / width,
                    box.y2() * s[1] / height);
        }

        @Override
        public float[] toOriginal(float[] lowRes, int width, int height) {
            return contract.toOriginal(lowRes, width, height);
        }
    }

    /** SAM 1 (HF low-res masks): the whole padded 1024 frame resized to the image, the padding not cropped first. */
    record MaskNotCropped(Sam1Geometry contract) implements Sam1Geometry {
        @Override
        public Box toModelFrame(Box box, int width, int height) {
            return contract.toModelFrame(box, width, height);
        }

        @Override
        public float[] toOriginal(float[] lowRes, int width, int height) {
            return SamMaskPostprocessor.toOriginal(lowRes, SamMaskPostprocessor.FRAME, SamMaskPostprocessor.FRAME,
                    width, height);
        }
    }

    /** Grounding-DINO: normalised boxes scaled by the model input's size, not mapped back to the image's. */
    static final DinoGeometry DINO_IN_INPUT_FRAME = (cx, cy, w, h, width, height, inputWidth, inputHeight) ->
            Box.fromCenter(cx, cy, w, h).scale(inputWidth, inputHeight).clip(width, height);

    static GeometryOverrides wrong(String mistake) {
        return switch (mistake) {
            case "box-not-scaled" -> GeometryOverrides.sam1(BoxNotScaled::new);
            case "box-frame-1000" -> GeometryOverrides.sam1(BoxFrameSlightlyOff::new);
            case "mask-not-cropped" -> GeometryOverrides.sam1(MaskNotCropped::new);
            case "dino-input-frame" -> GeometryOverrides.dino(g -> DINO_IN_INPUT_FRAME);
            default -> throw new IllegalArgumentException(mistake);
        };
    }

    /**
     * The gross mistakes run on 4 scenes (their mIoU is far below the bar on any scene), the subtle 2.3 % one on 8.
     * Measured (contract 0.9833 on 8 scenes): box not scaled 0.1385 on 4 scenes (0.1165 on 8; both SAM 1 decoders),
     * box 2.3 % short of the frame 0.9620 on 8 (0.9832 with the old fixture SAM, whose masks reached 10 % past the
     * box), mask not cropped 0.3554 on 4 (0.5049 on 8), DINO boxes in the input frame 0.1385 on 4 (0.1165 on 8).
     */
    @ParameterizedTest(name = "{0}: {1} on {2} scenes")
    @CsvSource({
        "sam,               box-not-scaled,   4",
        "sam-hf,            box-not-scaled,   4",
        "sam,               box-frame-1000,   8",
        "sam-hf,            mask-not-cropped, 4",
        "sam,               dino-input-frame, 4",
        "grounding-dino-hf, dino-input-frame, 4"})
    void aClassicMistakeDropsMiouBelowTheBar(String flavour, String mistake, int scenes) {
        LabelerSettings s = settings(flavour);
        double miou = PseudoLabelerEndToEndTest.miou(s, Selection.WHOLE_OVER_PART, scenes, wrong(mistake));
        System.out.printf("%s with %s: mIoU %.4f on %d scenes%n", flavour, mistake, miou, scenes);
        assertTrue(miou < BAR, flavour + " " + mistake + " mIoU " + miou + " should be below " + BAR);
    }
}
