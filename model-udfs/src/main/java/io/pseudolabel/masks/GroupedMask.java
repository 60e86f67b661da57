package io.pseudolabel.masks;

/**
 * The mask kept for one box: the winning candidate's index in SAM's output, its mask clipped to the
 * grown box, the IoU of that mask's bounds with the box, SAM's predicted IoU for it and, where the export
 * has one, the decoder's object score logit for the box (else null), and the candidate's stability score.
 */
public record GroupedMask(int candidate, BitMask mask, float boxIou, float predictedIou, Float objectScoreLogit,
        float stability) {

    public GroupedMask(int candidate, BitMask mask, float boxIou, float predictedIou, Float objectScoreLogit) {
        this(candidate, mask, boxIou, predictedIou, objectScoreLogit, 1f);
    }

    public GroupedMask(int candidate, BitMask mask, float boxIou, float predictedIou) {
        this(candidate, mask, boxIou, predictedIou, null);
    }
}
