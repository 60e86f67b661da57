package io.pseudolabel.masks;

/**
 * One SAM mask for a box: {@code index} is its position in SAM's multimask output (kept so every
 * instance can say which candidate won), {@code mask} is in original-image pixels.
 *
 * @param objectScoreLogit the decoder's "object present" logit for the box this candidate answers (SAM 2.1's
 *     {@code object_score_logits}, > 0 = present), the same for every candidate of a box; null when the export
 *     has none (SAM 1, samexporter's SAM 2.1)
 * @param stability SAM's stability score of the mask: the IoU of its logits thresholded at
 *     {@code threshold + }{@link #STABILITY_OFFSET} and at {@code threshold - }{@link #STABILITY_OFFSET}, in [0,1]
 *     (1 = the mask's edge is sharp: moving the threshold changes nothing); see {@link #stability(float[], float)}
 */
public record Candidate(int index, BitMask mask, float predictedIou, Float objectScoreLogit, float stability) {

    /** SAM's own {@code stability_score_offset} (its automatic mask generator's default). */
    public static final float STABILITY_OFFSET = 1.0f;

    public Candidate {
        if (!(stability >= 0f && stability <= 1f)) {
            throw new IllegalArgumentException("stability must be in [0,1]: " + stability);
        }
    }

    /** A candidate whose mask is exact (stability 1), with or without an object score. */
    public Candidate(int index, BitMask mask, float predictedIou, Float objectScoreLogit) {
        this(index, mask, predictedIou, objectScoreLogit, 1f);
    }

    public Candidate(int index, BitMask mask, float predictedIou) {
        this(index, mask, predictedIou, null);
    }

    /**
     * SAM's stability score over full-size logits, in one pass over the array the mask is thresholded from (no
     * second upsampling): pixels above {@code threshold + offset} over pixels above {@code threshold - offset}
     * (the first set lies inside the second, so this is their IoU); 1 when both are empty.
     */
    public static float stability(float[] logits, float threshold) {
        float hi = threshold + STABILITY_OFFSET;
        float lo = threshold - STABILITY_OFFSET;
        int inner = 0;
        int outer = 0;
        for (float v : logits) {
            if (v > lo) {
                outer++;
                if (v > hi) {
                    inner++;
                }
            }
        }
        return outer == 0 ? 1f : inner / (float) outer;
    }
}
