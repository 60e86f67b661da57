package io.pseudolabel.labeler;

import java.util.List;

/**
 * One image to label: its bytes and, for the supervised modes, what is given with it.
 *
 * @param givenLabels class names, for {@link Supervision#IMAGE_LABELS}
 * @param givenBoxes named boxes in original-image pixels, for {@link Supervision#BOXES}
 */
public record ImageInput(String imageId, String uri, byte[] bytes, List<String> givenLabels,
        List<GivenBox> givenBoxes) {

    public ImageInput {
        givenLabels = givenLabels == null ? List.of() : List.copyOf(givenLabels);
        givenBoxes = givenBoxes == null ? List.of() : List.copyOf(givenBoxes);
    }

    public static ImageInput of(String imageId, String uri, byte[] bytes) {
        return new ImageInput(imageId, uri, bytes, List.of(), List.of());
    }
}
