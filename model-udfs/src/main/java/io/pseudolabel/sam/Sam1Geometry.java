package io.pseudolabel.sam;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.SamImageProcessor;

/**
 * The geometric steps around a SAM 1 decoder, pure array code: a box into the 1024 frame of the resized,
 * padded image, and (HF "boxes" decoder) 256x256 low-res logits back to the image. The official decoder
 * post-processes its masks in the graph ({@code orig_im_size}), so it uses only the first. {@link #of} gives the
 * contract geometry; {@link SamModel#load(java.nio.file.Path, io.pseudolabel.onnx.RuntimeOptions, SamSettings,
 * java.util.function.UnaryOperator, java.util.function.UnaryOperator)} accepts a replacement, so tests can show
 * that a wrong geometry fails (identity in the product).
 */
public interface Sam1Geometry {

    /** A box of the {@code width x height} image in the encoder's 1024 frame. */
    Box toModelFrame(Box box, int width, int height);

    /** 256x256 low-res mask logits (over the padded 1024x1024 frame) as logits at {@code width x height}. */
    float[] toOriginal(float[] lowRes, int width, int height);

    /**
     * The contract: boxes scaled like the image (longest side to 1024, one factor per axis from the rounded resized
     * size, HF {@code _normalize_coordinates}); masks upsampled to the 1024 frame, cropped to the resized image
     * (the padding dropped) and resized to the original size ({@link SamMaskPostprocessor#toOriginal}).
     */
    static Sam1Geometry of(SamImageProcessor processor) {
        return new Contract(processor);
    }

    /** The contract geometry; see {@link #of}. */
    record Contract(SamImageProcessor processor) implements Sam1Geometry {
        @Override
        public Box toModelFrame(Box box, int width, int height) {
            return processor.toModelFrame(box, width, height);
        }

        @Override
        public float[] toOriginal(float[] lowRes, int width, int height) {
            int[] resized = SamImageProcessor.resizedSize(width, height, SamMaskPostprocessor.FRAME);
            return SamMaskPostprocessor.toOriginal(lowRes, resized[0], resized[1], width, height);
        }
    }
}
