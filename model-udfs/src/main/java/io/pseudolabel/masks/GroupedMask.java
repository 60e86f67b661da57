package io.pseudolabel.masks;

/**
 * The mask kept for one box: the winning candidate's index in SAM's output, its mask clipped to the
 * grown box, the IoU of that mask's bounds with the box, and SAM's predicted IoU for it.
 */
public record GroupedMask(int candidate, BitMask mask, float boxIou, float predictedIou) {}
