package io.pseudolabel.masks;

import io.pseudolabel.geom.Box;

/**
 * One labelled object in an image, as the output table stores it (the label table's {@code instances}):
 * class id (1..C) and name, the detected box in original-image pixels, the detector's score, SAM's
 * predicted IoU of the kept mask, which SAM candidate won, the mask as COCO RLE, and SAM 2.1's object score
 * logit for the box where the export gives one (null otherwise), and the instance's quality in [0,1]
 * ({@code io.pseudolabel.labeler.Quality}; null for an instance made without one).
 */
public record LabeledInstance(int classId, String name, Box box, float detScore, float maskIou, int candidate,
        CocoRle.Rle rle, Float objectScoreLogit, Float quality) {

    public LabeledInstance {
        if (classId < 1 || classId > 254) {
            throw new IllegalArgumentException("class id must be in 1..254: " + classId);
        }
        if (name == null || box == null || rle == null) {
            throw new IllegalArgumentException("name, box and rle are required");
        }
        if (quality != null && !(quality >= 0f && quality <= 1f)) {
            throw new IllegalArgumentException("quality must be in [0,1]: " + quality);
        }
    }

    /** An instance without a quality score. */
    public LabeledInstance(int classId, String name, Box box, float detScore, float maskIou, int candidate,
            CocoRle.Rle rle, Float objectScoreLogit) {
        this(classId, name, box, detScore, maskIou, candidate, rle, objectScoreLogit, null);
    }

    /** An instance without an object score (SAM 1, samexporter's SAM 2.1). */
    public LabeledInstance(int classId, String name, Box box, float detScore, float maskIou, int candidate,
            CocoRle.Rle rle) {
        this(classId, name, box, detScore, maskIou, candidate, rle, null);
    }

    /** The instance for a box whose grouping kept {@code grouped}. */
    public static LabeledInstance of(int classId, String name, Box box, float detScore, GroupedMask grouped) {
        return of(classId, name, box, detScore, grouped, null);
    }

    /** The instance for a box whose grouping kept {@code grouped}, with its quality. */
    public static LabeledInstance of(int classId, String name, Box box, float detScore, GroupedMask grouped,
            Float quality) {
        return new LabeledInstance(classId, name, box, detScore, grouped.predictedIou(), grouped.candidate(),
                CocoRle.encode(grouped.mask()), grouped.objectScoreLogit(), quality);
    }

    public BitMask mask() {
        return CocoRle.decode(rle);
    }
}
