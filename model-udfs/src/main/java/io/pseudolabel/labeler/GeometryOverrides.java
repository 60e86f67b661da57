package io.pseudolabel.labeler;

import io.pseudolabel.dino.DinoGeometry;
import io.pseudolabel.sam.Sam1Geometry;
import io.pseudolabel.sam.Sam2Geometry;

import java.util.function.UnaryOperator;

/**
 * Replacements for the pure geometric steps around the models, applied to each contract geometry when a
 * {@link ModelSet} loads: {@link #NONE} in the product; tests pass wrong variants (an unscaled box, a mask not cropped,
 * a box in the wrong frame) to show that each mistake costs mIoU.
 */
public record GeometryOverrides(UnaryOperator<Sam1Geometry> sam1, UnaryOperator<Sam2Geometry> sam2,
        UnaryOperator<DinoGeometry> dino) {

    public static final GeometryOverrides NONE = new GeometryOverrides(UnaryOperator.identity(),
            UnaryOperator.identity(), UnaryOperator.identity());

    public static GeometryOverrides sam1(UnaryOperator<Sam1Geometry> f) {
        return new GeometryOverrides(f, UnaryOperator.identity(), UnaryOperator.identity());
    }

    public static GeometryOverrides sam2(UnaryOperator<Sam2Geometry> f) {
        return new GeometryOverrides(UnaryOperator.identity(), f, UnaryOperator.identity());
    }

    public static GeometryOverrides dino(UnaryOperator<DinoGeometry> f) {
        return new GeometryOverrides(UnaryOperator.identity(), UnaryOperator.identity(), f);
    }
}
