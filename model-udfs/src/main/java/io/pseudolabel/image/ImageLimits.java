package io.pseudolabel.image;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.pseudolabel.image.ImageDecodeException.Kind;

import java.io.Serializable;
import java.util.Locale;

/**
 * {@code pseudolabel.image.*}: what an image (or a label map) may be before anything allocates its pixels.
 * The size of the file is checked from its status before it is read; width and height from its header before
 * it is decoded. Labelling, evaluation (predictions and ground truth), training and prediction apply the same
 * limits.
 *
 * @param maxPixels width x height
 * @param maxSide the longer side, in pixels
 * @param maxAspectRatio longer side / shorter side
 * @param maxFileBytes the file's size in bytes
 */
public record ImageLimits(long maxPixels, long maxSide, double maxAspectRatio, long maxFileBytes)
        implements Serializable {

    public ImageLimits {
        if (maxPixels < 1 || maxSide < 1 || !(maxAspectRatio >= 1) || maxFileBytes < 1) {
            throw new IllegalArgumentException("pseudolabel.image: max-pixels, max-side and max-file-size must be "
                    + "positive and max-aspect-ratio at least 1: " + this);
        }
    }

    private static final String P = "pseudolabel.image.";

    /** Reads {@code pseudolabel.image.*}. */
    public static ImageLimits from(Config root) {
        try {
            return new ImageLimits(root.getLong(P + "max-pixels"), root.getLong(P + "max-side"),
                    root.getDouble(P + "max-aspect-ratio"), root.getBytes(P + "max-file-size"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
    }

    /** Refuses a file of {@code bytes} bytes before it is read. */
    public void checkFileSize(long bytes, String name) throws ImageDecodeException {
        if (bytes > maxFileBytes) {
            throw new ImageDecodeException(Kind.TOO_LARGE, name, "file is " + bytes + " bytes, more than the limit of "
                    + maxFileBytes + " (pseudolabel.image.max-file-size)");
        }
    }

    /** Refuses a {@code width x height} image (as its header says) before its pixels are decoded. */
    public void checkSize(long width, long height, String name) throws ImageDecodeException {
        String problem = problem(width, height);
        if (problem != null) {
            throw new ImageDecodeException(problem.startsWith("invalid") ? Kind.CORRUPT
                    : problem.contains("aspect") ? Kind.EXTREME_SHAPE : Kind.TOO_LARGE, name, problem);
        }
    }

    /** Why a {@code width x height} image is refused, or null when it is within the limits. */
    public String problem(long width, long height) {
        if (width <= 0 || height <= 0) {
            return "invalid image size " + width + "x" + height;
        }
        long pixels = width * height;
        if (pixels / width != height || pixels > maxPixels) {
            return "image is " + width + "x" + height + " = " + (pixels / width == height ? pixels + " pixels"
                    : "too many pixels") + ", more than the limit of " + maxPixels + " (pseudolabel.image.max-pixels)";
        }
        long longer = Math.max(width, height);
        long shorter = Math.min(width, height);
        if (longer > maxSide) {
            return "image is " + width + "x" + height + ": its " + (width >= height ? "width" : "height") + " " + longer
                    + " is more than the limit of " + maxSide + " (pseudolabel.image.max-side)";
        }
        double ratio = (double) longer / shorter;
        if (ratio > maxAspectRatio) {
            return String.format(Locale.ROOT, "image is %dx%d: aspect ratio %.1f:1 is more than the limit of %s:1 "
                    + "(pseudolabel.image.max-aspect-ratio)", width, height, ratio, trim(maxAspectRatio));
        }
        return null;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
