package io.pseudolabel.masks;

/**
 * One SAM mask for a box: {@code index} is its position in SAM's multimask output (kept so every
 * instance can say which candidate won), {@code mask} is in original-image pixels.
 */
public record Candidate(int index, BitMask mask, float predictedIou) {}
