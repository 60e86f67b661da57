package io.pseudolabel.geom;

import java.io.Serializable;

/**
 * An axis-aligned box in pixel coordinates of some frame, corners as pixel edges: a box covering
 * pixel columns 2..4 is {@code x1=2, x2=5}. Width and height are never negative.
 */
public record Box(float x1, float y1, float x2, float y2) implements Serializable {

    public Box {
        if (!(x2 >= x1) || !(y2 >= y1)) {
            throw new IllegalArgumentException("box corners out of order: " + x1 + "," + y1 + "," + x2 + "," + y2);
        }
    }

    /** From centre, width and height (Grounding-DINO's layout). Negative sizes collapse to zero. */
    public static Box fromCenter(float cx, float cy, float w, float h) {
        float hw = Math.max(w, 0f) / 2f;
        float hh = Math.max(h, 0f) / 2f;
        return new Box(cx - hw, cy - hh, cx + hw, cy + hh);
    }

    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    public float area() {
        return width() * height();
    }

    public Box scale(float sx, float sy) {
        return new Box(x1 * sx, y1 * sy, x2 * sx, y2 * sy);
    }

    /** This box grown on every side by {@code fraction} of its own width and height. */
    public Box grow(float fraction) {
        float dx = width() * fraction;
        float dy = height() * fraction;
        return new Box(x1 - dx, y1 - dy, x2 + dx, y2 + dy);
    }

    /** This box clipped to {@code [0,width] x [0,height]}. */
    public Box clip(float width, float height) {
        float a = clamp(x1, 0, width);
        float b = clamp(y1, 0, height);
        return new Box(a, b, Math.max(a, clamp(x2, 0, width)), Math.max(b, clamp(y2, 0, height)));
    }

    public float intersection(Box o) {
        float w = Math.min(x2, o.x2) - Math.max(x1, o.x1);
        float h = Math.min(y2, o.y2) - Math.max(y1, o.y1);
        return w <= 0 || h <= 0 ? 0f : w * h;
    }

    /** Intersection over union; 0 when both boxes are empty. */
    public float iou(Box o) {
        float inter = intersection(o);
        float union = area() + o.area() - inter;
        return union <= 0 ? 0f : inter / union;
    }

    public float[] toArray() {
        return new float[] {x1, y1, x2, y2};
    }

    private static float clamp(float v, float lo, float hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
