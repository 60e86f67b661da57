package io.pseudolabel.job.data;

import io.pseudolabel.labeler.GivenBox;

import java.io.Serializable;
import java.util.List;

/**
 * One image of a dataset as the driver lists it: where it is, what it looked like on disk (for
 * incremental runs), and what was given with it (for the supervised modes).
 *
 * @param refused why the image is refused without being read (an unsafe or shared id, see {@link ImageIds}),
 *     or null
 */
public record ImageRef(String imageId, String uri, long size, long mtime, List<String> givenLabels,
        List<GivenBox> givenBoxes, String refused) implements Serializable {

    public ImageRef {
        givenLabels = givenLabels == null ? List.of() : List.copyOf(givenLabels);
        givenBoxes = givenBoxes == null ? List.of() : List.copyOf(givenBoxes);
    }

    public ImageRef(String imageId, String uri, long size, long mtime, List<String> givenLabels,
            List<GivenBox> givenBoxes) {
        this(imageId, uri, size, mtime, givenLabels, givenBoxes, null);
    }

    /** This image, refused for {@code reason}. */
    public ImageRef refusedBecause(String reason) {
        return new ImageRef(imageId, uri, size, mtime, givenLabels, givenBoxes, reason);
    }
}
