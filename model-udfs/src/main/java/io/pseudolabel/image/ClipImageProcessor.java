package io.pseudolabel.image;

/**
 * HF {@code CLIPImageProcessor} on an RGB image: resize the shortest edge with Pillow bicubic (long side
 * {@code int(n * long / short)}, truncated), centre crop with floor offsets, {@code x * rescale},
 * {@code (x - mean) / std}, CHW float32. Pure and thread-safe.
 */
public final class ClipImageProcessor {
    private final ClipImageConfig config;
    private final PixelNormalizer normalizer;

    public ClipImageProcessor(ClipImageConfig config) {
        this.config = config;
        this.normalizer = new PixelNormalizer(config.doRescale(), config.rescaleFactor(), config.doNormalize(),
                config.imageMean(), config.imageStd());
    }

    public ClipImageProcessor() {
        this(ClipImageConfig.defaults());
    }

    public ClipImageConfig config() {
        return config;
    }

    /**
     * HF {@code get_resize_output_image_size(default_to_square=False)}: {width, height} after the resize step.
     */
    public int[] resizedSize(int width, int height) {
        if (!config.doResize()) {
            return new int[] {width, height};
        }
        if (config.shortestEdge() == null) {
            return new int[] {config.resizeWidth(), config.resizeHeight()};
        }
        int s = config.shortestEdge();
        if (width <= height) {
            return new int[] {s, (int) ((double) ((long) s * height) / width)};
        }
        return new int[] {(int) ((double) ((long) s * width) / height), s};
    }

    /**
     * HF {@code center_crop}: {left, top} of the crop window in the resized image, floor of half the margin
     * (negative when the image is smaller than the crop; the missing pixels are zero before rescaling).
     */
    public static int[] cropOffset(int width, int height, int cropWidth, int cropHeight) {
        int top = Math.floorDiv(height - cropHeight, 2);
        int left = Math.floorDiv(width - cropWidth, 2);
        if (top >= 0 && left >= 0 && top + cropHeight <= height && left + cropWidth <= width) {
            return new int[] {left, top};
        }
        // HF pads to max(crop, size) centred with ceil, then takes the window shifted by the padding
        int newH = Math.max(cropHeight, height);
        int newW = Math.max(cropWidth, width);
        int topPad = (newH - height + 1) / 2;
        int leftPad = (newW - width + 1) / 2;
        int t = Math.max(0, top + topPad) - topPad;
        int l = Math.max(0, left + leftPad) - leftPad;
        return new int[] {l, t};
    }

    /**
     * {width, height} of {@code pixel_values} for an image of that size: the crop when centre-cropping, the
     * fixed resize otherwise, and a square of the shortest edge for a shortest-edge resize without a crop (an
     * image of that size passes through unchanged in every case).
     */
    public int[] inputSize() {
        if (config.doCenterCrop()) {
            return new int[] {config.cropWidth(), config.cropHeight()};
        }
        if (config.doResize() && config.shortestEdge() == null) {
            return new int[] {config.resizeWidth(), config.resizeHeight()};
        }
        if (config.doResize()) {
            return new int[] {config.shortestEdge(), config.shortestEdge()};
        }
        throw new IllegalArgumentException("CLIP preprocessing neither resizes nor crops: its input size depends on "
                + "the image, so training views have no fixed size");
    }

    public int cropHeight() {
        return config.doCenterCrop() ? config.cropHeight() : -1;
    }

    public int cropWidth() {
        return config.doCenterCrop() ? config.cropWidth() : -1;
    }

    /** {@code pixel_values} for one image: float32 [3, H, W] (H, W the crop size when cropping). */
    public float[] pixelValues(RgbImage image) {
        int[] size = resizedSize(image.width(), image.height());
        RgbImage resized = config.doResize()
                ? Resampler.resize(image, size[0], size[1], config.resample())
                : image;
        if (!config.doCenterCrop()) {
            float[] out = new float[3 * resized.width() * resized.height()];
            normalizer.writeChw(resized, 0, 0, resized.width(), resized.height(), out, resized.width(), resized.height());
            return out;
        }
        int ch = config.cropHeight();
        int cw = config.cropWidth();
        int[] off = cropOffset(resized.width(), resized.height(), cw, ch);
        float[] out = new float[3 * ch * cw];
        normalizer.writeChw(resized, off[0], off[1], cw, ch, out, cw, ch);
        return out;
    }
}
