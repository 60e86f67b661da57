package io.pseudolabel.job.data;

import io.pseudolabel.labeler.GivenBox;

import java.io.Serializable;
import java.util.List;

/**
 * One image of a dataset as the driver lists it: where it is, what it looked like on disk (for
 * incremental runs), and what was given with it (for the supervised modes).
 */
public record ImageRef(String imageId, String uri, long size, long mtime, List<String> givenLabels,
        List<GivenBox> givenBoxes) implements Serializable {

    public ImageRef {
        givenLabels = givenLabels == null ? List.of() : List.copyOf(givenLabels);
        givenBoxes = givenBoxes == null ? List.of() : List.copyOf(givenBoxes);
    }
}
