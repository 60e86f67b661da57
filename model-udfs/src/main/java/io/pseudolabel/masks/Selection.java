package io.pseudolabel.masks;

/** How {@link Grouping} picks one of SAM's candidates for a box. */
public enum Selection {
    /** Our rule (README "What runs", "Grouping"): the mask whose bounds best match the box, so the whole beats its parts. */
    WHOLE_OVER_PART,
    /** The baseline SAM users reach for: the candidate SAM itself scores highest. */
    HIGHEST_PREDICTED_IOU
}
