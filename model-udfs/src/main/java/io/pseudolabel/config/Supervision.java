package io.pseudolabel.config;

import java.util.Locale;

/** The paper's Table 6 settings: what is given with each image. */
public enum Supervision {
    /** CLIP names the classes, DINO boxes them, SAM segments. */
    NONE,
    /** Given image labels go to DINO, then SAM. */
    IMAGE_LABELS,
    /** Given boxes go straight to SAM. */
    BOXES;

    public static Supervision parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "image-labels", "image_labels", "labels" -> IMAGE_LABELS;
            case "boxes" -> BOXES;
            default -> throw new IllegalArgumentException(
                    "supervision must be none, image-labels or boxes; got '" + s + "'");
        };
    }
}
