package io.pseudolabel.scenes;

import io.pseudolabel.geom.Box;
import io.pseudolabel.masks.BitMask;

/**
 * One object of a scene with its exact ground truth. The masks hold visible pixels only (later objects
 * cover earlier ones) and nest: {@code subpart ⊆ part ⊆ visible}; the part is the upper 45% of the
 * object including its subpart, mirroring SAM's whole/part/subpart candidates.
 *
 * @param box        pixel-edge box of the visible pixels
 * @param drawnArea  pixels of the whole shape before anything covered it
 */
public record SceneObject(
        int classId,
        String name,
        ObjectShape shape,
        Box box,
        BitMask visible,
        BitMask part,
        BitMask subpart,
        int drawnArea) {}
