package io.pseudolabel.job.eval;

import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.Serializable;

/**
 * One side (prediction or ground truth) of one image, as a reference that is cheap to ship; the class map
 * is loaded where the pair is scored.
 */
public sealed interface LabelItem extends Serializable {

    /** The class map, refused beyond {@code limits}; any failure is an error for this image. */
    ClassMap load(Configuration conf, ImageLimits limits) throws IOException;

    /** The original image, when this side knows it; null otherwise. */
    String imageUri();

    /** Why this side has no label although the image is listed (a failed label row), or null. */
    default String absentReason() {
        return null;
    }

    /** The label table's image quality for this prediction, or NaN (no quality column, a null quality). */
    default double quality() {
        return Double.NaN;
    }

    /** A PNG label map in a file (palette or 8-bit grayscale). */
    record PngFile(String uri, String imageUri) implements LabelItem {
        private static final long serialVersionUID = 1L;

        @Override
        public ClassMap load(Configuration conf, ImageLimits limits) throws IOException {
            return PalettePng.read(HadoopFiles.read(uri, limits.maxFileBytes(), conf), limits, uri);
        }
    }

    /** A PNG label map stored in a table row ({@code semantic_png}); null bytes when the row has none. */
    record TableRow(byte[] png, String imageUri, String status, String error, Float labelQuality)
            implements LabelItem {
        private static final long serialVersionUID = 1L;

        public TableRow(byte[] png, String imageUri, String status, String error) {
            this(png, imageUri, status, error, null);
        }

        @Override
        public double quality() {
            return labelQuality == null ? Double.NaN : labelQuality;
        }

        @Override
        public ClassMap load(Configuration conf, ImageLimits limits) {
            return PalettePng.read(png, limits, "semantic_png of " + (imageUri == null ? "a table row" : imageUri));
        }

        @Override
        public String absentReason() {
            if (png != null) {
                return null;
            }
            String s = status == null ? "no semantic_png" : "status " + status;
            return error == null ? s : s + ": " + error;
        }
    }

    /** A COCO image whose annotations are rasterised on the spot. */
    record Coco(CocoInstances.Image image, String imageUri) implements LabelItem {
        private static final long serialVersionUID = 1L;

        @Override
        public ClassMap load(Configuration conf, ImageLimits limits) {
            return image.rasterise(limits);
        }
    }
}
