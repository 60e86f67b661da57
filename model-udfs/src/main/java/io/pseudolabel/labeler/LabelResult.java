package io.pseudolabel.labeler;

import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.LabeledInstance;

import java.util.List;

/**
 * Everything stage 1 says about one image. For a failed image width/height are 0, lists are empty and
 * the maps are null.
 *
 * @param semantic class ids per pixel (0 background, 255 ignore)
 * @param semanticPng {@code semantic} as a palette PNG with the VOC colours
 * @param quality the image's label quality in [0,1] ({@link Quality#image}); null for a failed image
 */
public record LabelResult(String imageId, String uri, int width, int height, LabelStatus status, String error,
        List<ClassScore> labels, List<LabeledInstance> instances, ClassMap semantic, byte[] semanticPng,
        Float quality) {

    public static LabelResult failed(ImageInput input, LabelStatus status, String error) {
        return new LabelResult(input.imageId(), input.uri(), 0, 0, status, error, List.of(), List.of(), null, null,
                null);
    }

    public boolean ok() {
        return status == LabelStatus.OK;
    }
}
