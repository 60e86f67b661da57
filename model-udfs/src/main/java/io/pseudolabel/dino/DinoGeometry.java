package io.pseudolabel.dino;

import io.pseudolabel.geom.Box;

/**
 * Grounding-DINO's boxes back to the image, pure arithmetic: {@code pred_boxes} are centre, width and height
 * normalised over the model input, which is the whole image resized (nothing padded, {@code pixel_mask} all ones),
 * so the contract scales them by the original image's size (HF {@code post_process_grounded_object_detection} with
 * {@code target_sizes} = the image's). {@link DinoModel#load(java.nio.file.Path, io.pseudolabel.onnx.RuntimeOptions,
 * DinoSettings, java.util.function.UnaryOperator)} accepts a replacement, so tests can show that a wrong frame fails
 * (identity in the product).
 */
public interface DinoGeometry {

    /**
     * A predicted box (normalised {@code cx, cy, w, h}) in pixels of the {@code width x height} image that was
     * resized to {@code inputWidth x inputHeight} for the model.
     */
    Box toImage(float cx, float cy, float w, float h, int width, int height, int inputWidth, int inputHeight);

    /** The contract: scaled by the image's own size and clipped to it. */
    DinoGeometry CONTRACT = (cx, cy, w, h, width, height, inputWidth, inputHeight) -> Box.fromCenter(cx, cy, w, h)
            .scale(width, height).clip(width, height);
}
