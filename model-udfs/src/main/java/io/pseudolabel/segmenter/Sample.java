package io.pseudolabel.segmenter;

import io.pseudolabel.image.RgbImage;
import io.pseudolabel.masks.ClassMap;

import java.io.Serializable;

/** One training example: an image and its label map (0 background, 1..C-1 classes, 255 ignored). */
public record Sample(RgbImage image, ClassMap labels) implements Serializable {
    public Sample {
        if (image.width() != labels.width() || image.height() != labels.height()) {
            throw new IllegalArgumentException("image is " + image.width() + "x" + image.height()
                    + " but its labels are " + labels.width() + "x" + labels.height());
        }
    }
}
