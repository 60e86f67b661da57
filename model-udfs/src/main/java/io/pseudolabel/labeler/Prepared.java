package io.pseudolabel.labeler;

import io.pseudolabel.image.RgbImage;

/**
 * An image after the CPU-only work (decode and every model's preprocessing), ready for the models; or
 * the failure that stopped it. Preparing runs on a small thread pool ahead of inference.
 */
public record Prepared(ImageInput input, RgbImage image, float[] clipPixels, float[] dinoPixels, float[] samInput,
        LabelResult failure) {

    public static Prepared failed(LabelResult failure) {
        return new Prepared(null, null, null, null, null, failure);
    }

    public boolean isFailed() {
        return failure != null;
    }
}
