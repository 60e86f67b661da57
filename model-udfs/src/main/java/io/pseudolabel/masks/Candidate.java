package io.pseudolabel.masks;

/**
 * One SAM mask for a box: {@code index} is its position in SAM's multimask output (kept so every
 * instance can say which candidate won), {@code mask} is in original-image pixels.
 *
 * @param objectScoreLogit the decoder's "object present" logit for the box this candidate answers (SAM 2.1's
 *     {@code object_score_logits}, > 0 = present), the same for every candidate of a box; null when the export
 *     has none (SAM 1, samexporter's SAM 2.1)
 */
public record Candidate(int index, BitMask mask, float predictedIou, Float objectScoreLogit) {

    public Candidate(int index, BitMask mask, float predictedIou) {
        this(index, mask, predictedIou, null);
    }
}
