package io.pseudolabel.sam;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.image.Sam2ImageProcessor;

/**
 * The three geometric steps around a SAM 2.1 model (model-contracts §4), pure array code: the encoder input,
 * a box into the model's frame, and a 256x256 low-res mask back to the image. {@link #of} gives each export
 * family's own; {@link SamModel#load(java.nio.file.Path, io.pseudolabel.onnx.RuntimeOptions, SamSettings,
 * java.util.function.UnaryOperator, java.util.function.UnaryOperator)} accepts a replacement, so tests can show that a wrong geometry fails.
 */
public interface Sam2Geometry {

    /** The encoder input, float32 [3, 1024, 1024]. */
    float[] pixelValues(RgbImage image);

    /** A box of the {@code width x height} image in the encoder's 1024x1024 frame. */
    Box toModelFrame(Box box, int width, int height);

    /** 256x256 low-res mask logits (over the whole 1024x1024 frame) as logits at {@code width x height}. */
    float[] toOriginal(float[] lowRes, int width, int height);

    String describe();

    /**
     * The contract geometry of {@code format}'s family: the image stretched to 1024x1024 by {@code processor},
     * boxes scaled by 1024/W and 1024/H separately, and the low-res logits resized with half-pixel centres
     * (align_corners=False) to the image, as each family's reference runner does it: onnx-community (HF
     * {@code post_process_masks}) through the 1024 frame, samexporter ({@code cv2.resize}) in one step. The
     * two differ by less than a pixel.
     */
    static Sam2Geometry of(SamFormat format, Sam2ImageProcessor processor) {
        if (!format.isSam2()) {
            throw new IllegalArgumentException(format + " is not a SAM 2.1 format");
        }
        return new Contract(processor, format == SamFormat.SAM2_HF);
    }

    /** The contract geometry; see {@link #of}. */
    record Contract(Sam2ImageProcessor processor, boolean throughFrame) implements Sam2Geometry {
        @Override
        public float[] pixelValues(RgbImage image) {
            return processor.pixelValues(image);
        }

        @Override
        public Box toModelFrame(Box box, int width, int height) {
            return Sam2ImageProcessor.toModelFrame(box, width, height);
        }

        @Override
        public float[] toOriginal(float[] lowRes, int width, int height) {
            if (throughFrame) {
                // HF: 256 -> 1024x1024 (nothing to crop: the whole frame is image) -> width x height
                return SamMaskPostprocessor.toOriginal(lowRes, Sam2ImageProcessor.FRAME, Sam2ImageProcessor.FRAME,
                        width, height);
            }
            if (lowRes.length != SamMaskPostprocessor.LOW_RES * SamMaskPostprocessor.LOW_RES) {
                throw new IllegalArgumentException("low-res mask holds " + lowRes.length + " values, 256x256 expected");
            }
            return SamMaskPostprocessor.bilinear(lowRes, SamMaskPostprocessor.LOW_RES, SamMaskPostprocessor.LOW_RES,
                    width, height);
        }

        @Override
        public String describe() {
            return processor.describe() + "; boxes x*1024/W, y*1024/H; 256x256 logits bilinear (half-pixel) "
                    + (throughFrame ? "to 1024x1024, then to the image size" : "to the image size in one step")
                    + ", > mask-threshold";
        }
    }
}
