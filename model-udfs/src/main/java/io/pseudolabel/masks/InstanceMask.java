package io.pseudolabel.masks;

/** One instance to paint into a semantic map: class id (1..254), detection score, pixels. */
public record InstanceMask(int classId, float score, BitMask mask) {
    public InstanceMask {
        if (classId < 1 || classId > 254) {
            throw new IllegalArgumentException("class id must be in 1..254 (0 is background, 255 ignore): " + classId);
        }
    }
}
