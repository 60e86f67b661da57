package io.pseudolabel.scenes;

import io.pseudolabel.geom.Box;

/**
 * An object's outline in continuous pixel coordinates. A pixel (x, y) belongs to the shape when its
 * centre (x+0.5, y+0.5) does, so rendering is exact and the ground truth is too.
 */
public sealed interface ObjectShape {

    boolean contains(double px, double py);

    /** The outline's bounding rectangle (not snapped to pixels). */
    Box extent();

    record Ellipse(double cx, double cy, double rx, double ry) implements ObjectShape {
        @Override
        public boolean contains(double px, double py) {
            double dx = (px - cx) / rx;
            double dy = (py - cy) / ry;
            return dx * dx + dy * dy <= 1.0;
        }

        @Override
        public Box extent() {
            return new Box((float) (cx - rx), (float) (cy - ry), (float) (cx + rx), (float) (cy + ry));
        }
    }

    record RoundedRect(double left, double top, double right, double bottom, double radius) implements ObjectShape {
        @Override
        public boolean contains(double px, double py) {
            if (px < left || px >= right || py < top || py >= bottom) {
                return false;
            }
            // Distance past the straight edges into a corner square; inside when within the corner circle.
            double dx = Math.max(0, Math.max(left + radius - px, px - (right - radius)));
            double dy = Math.max(0, Math.max(top + radius - py, py - (bottom - radius)));
            return dx * dx + dy * dy <= radius * radius;
        }

        @Override
        public Box extent() {
            return new Box((float) left, (float) top, (float) right, (float) bottom);
        }
    }
}
