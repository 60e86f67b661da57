package io.pseudolabel.image;

/**
 * HF {@code GroundingDinoImageProcessor} for one image (no batch padding, so {@code pixel_mask} is all
 * ones): resize (fixed, or HF's {@code get_size_with_aspect_ratio}) with Pillow bilinear, rescale,
 * normalise, CHW float32. Pure and thread-safe.
 */
public final class DinoImageProcessor {
    private final DinoImageConfig config;
    private final PixelNormalizer normalizer;

    public DinoImageProcessor(DinoImageConfig config) {
        this.config = config;
        this.normalizer = new PixelNormalizer(config.doRescale(), config.rescaleFactor(), config.doNormalize(),
                config.imageMean(), config.imageStd());
    }

    /** The HF default: shortest edge 800, longest edge 1333. */
    public DinoImageProcessor() {
        this(DinoImageConfig.defaults());
    }

    public DinoImageConfig config() {
        return config;
    }

    /** {width, height} of the model input for an image of this size. */
    public int[] targetSize(int width, int height) {
        if (!config.doResize()) {
            return new int[] {width, height};
        }
        if (config.isFixedSize()) {
            return new int[] {config.fixedWidth(), config.fixedHeight()};
        }
        int[] hw = sizeWithAspectRatio(height, width, config.shortestEdge(), config.longestEdge());
        return new int[] {hw[1], hw[0]};
    }

    /**
     * HF {@code get_size_with_aspect_ratio((h, w), size, max_size)}, returning {h, w}: when
     * {@code max/min * size > max_size} the size becomes {@code int(round(max_size * min / max))} (round half
     * to even); the short side becomes {@code size} and the long side {@code int(size * long / short)}.
     */
    public static int[] sizeWithAspectRatio(int height, int width, int size, Integer maxSize) {
        if (maxSize != null) {
            double minOrig = Math.min(height, width);
            double maxOrig = Math.max(height, width);
            if (maxOrig / minOrig * size > maxSize) {
                size = (int) Math.rint(maxSize * minOrig / maxOrig);
            }
        }
        if ((height <= width && height == size) || (width <= height && width == size)) {
            return new int[] {height, width};
        }
        if (width < height) {
            return new int[] {(int) ((double) ((long) size * height) / width), size};
        }
        return new int[] {size, (int) ((double) ((long) size * width) / height)};
    }

    /** {@code pixel_values}: float32 [3, H, W] at {@link #targetSize}. */
    public float[] pixelValues(RgbImage image) {
        int[] t = targetSize(image.width(), image.height());
        RgbImage resized = Resampler.resize(image, t[0], t[1], config.resample());
        float[] out = new float[3 * t[0] * t[1]];
        normalizer.writeChw(resized, 0, 0, t[0], t[1], out, t[0], t[1]);
        return out;
    }
}
