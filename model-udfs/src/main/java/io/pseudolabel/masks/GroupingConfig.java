package io.pseudolabel.masks;

import java.io.Serializable;

/**
 * Knobs of the box–mask grouping (ARCHITECTURE.md; config keys {@code grouping.box-margin},
 * {@code grouping.min-box-iou}, {@code grouping.near-tie}).
 *
 * @param boxMargin fraction of the box's width/height added on every side before clipping candidates
 * @param minBoxIou a box is rejected when no candidate's bounds reach this IoU with it
 * @param nearTie   ratios closer than this to the best count as tied, and predicted IoU decides among
 *                  them; 0 turns predicted IoU off entirely
 * @param ignoreBelow {@code grouping.ignore-below}: instances with a quality below it are painted 255; 0 = off
 * @param ignoreBoundary {@code grouping.ignore-boundary}: pixels within this many pixels of an instance's edge
 *                  are painted 255; 0 = off
 */
public record GroupingConfig(float boxMargin, float minBoxIou, float nearTie, float ignoreBelow, int ignoreBoundary)
        implements Serializable {

    public static final GroupingConfig DEFAULTS = new GroupingConfig(0.05f, 0.3f, 0.02f);

    /** Without ignore regions. */
    public GroupingConfig(float boxMargin, float minBoxIou, float nearTie) {
        this(boxMargin, minBoxIou, nearTie, 0f, 0);
    }

    public GroupingConfig {
        if (!(ignoreBelow >= 0f && ignoreBelow <= 1f)) {
            throw new IllegalArgumentException("grouping.ignore-below must be in [0,1], got " + ignoreBelow);
        }
        if (ignoreBoundary < 0 || ignoreBoundary > 1000) {
            throw new IllegalArgumentException("grouping.ignore-boundary must be 0..1000 pixels, got " + ignoreBoundary);
        }
        if (!(boxMargin >= 0f) || Float.isInfinite(boxMargin)) {
            throw new IllegalArgumentException("grouping.box-margin must be >= 0, got " + boxMargin);
        }
        if (!(minBoxIou >= 0f && minBoxIou <= 1f)) {
            throw new IllegalArgumentException("grouping.min-box-iou must be in [0,1], got " + minBoxIou);
        }
        if (!(nearTie >= 0f && nearTie <= 1f)) {
            throw new IllegalArgumentException("grouping.near-tie must be in [0,1], got " + nearTie);
        }
    }
}
