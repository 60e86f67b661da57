package io.pseudolabel.clip;

/** The two public CLIP layouts: Xenova's split text/vision graphs, or optimum's combined graph. */
public enum ClipFormat {
    SPLIT,
    COMBINED
}
