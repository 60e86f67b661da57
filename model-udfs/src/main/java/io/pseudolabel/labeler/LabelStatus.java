package io.pseudolabel.labeler;

/** Outcome of one image; anything but OK carries an error message naming the file. */
public enum LabelStatus {
    OK,
    /** The file could not be decoded (empty, not an image, corrupt, truncated, too large). */
    BAD_IMAGE,
    /**
     * The file system could not deliver the file's bytes (missing, no permission, throttled, credentials
     * expired) even after {@code pseudolabel.job.read-retries} retries; the file itself may be fine.
     */
    READ_ERROR,
    /** A given label or box names a class that is not in the class list. */
    BAD_ANNOTATION,
    /** A model call failed on this image. */
    MODEL_ERROR,
    /**
     * The image's id is not a safe relative path (absolute, {@code ..}, an empty segment, a backslash, a control
     * character) or another image has the same id; the file was not read.
     */
    BAD_ID
}
