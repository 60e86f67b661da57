package io.pseudolabel.image;

import io.pseudolabel.geom.Box;

/**
 * SAM image geometry shared by the HF split exports and the official/samexporter ones: longest side to
 * 1024 with {@code int(x * scale + 0.5)}, Pillow bilinear, normalise, zero-pad bottom/right after
 * normalising; prompt coordinates scaled into that resized frame. Pure and thread-safe.
 */
public final class SamImageProcessor {
    private final SamImageConfig config;
    private final PixelNormalizer normalizer;

    public SamImageProcessor(SamImageConfig config) {
        this.config = config;
        this.normalizer = new PixelNormalizer(config.doRescale(), config.rescaleFactor(), config.doNormalize(),
                config.imageMean(), config.imageStd());
    }

    /** The official constants: 1024, bilinear, ImageNet mean/std. */
    public SamImageProcessor() {
        this(SamImageConfig.defaults());
    }

    public SamImageConfig config() {
        return config;
    }

    public int padHeight() {
        return config.padHeight();
    }

    public int padWidth() {
        return config.padWidth();
    }

    /**
     * HF {@code _get_preprocess_shape} / official {@code ResizeLongestSide.get_preprocess_shape}, as
     * {width, height}: {@code scale = longest / max(w, h)}, each side {@code int(side * scale + 0.5)}, at
     * least 1 (where HF would compute 0 and Pillow would refuse the resize, e.g. a 3000x1 strip).
     */
    public static int[] resizedSize(int width, int height, int longest) {
        double scale = longest * 1.0 / Math.max(width, height);
        return new int[] {Math.max(1, (int) (width * scale + 0.5)), Math.max(1, (int) (height * scale + 0.5))};
    }

    public int[] resizedSize(int width, int height) {
        return resizedSize(width, height, config.longestEdge());
    }

    public RgbImage resize(RgbImage image) {
        int[] s = resizedSize(image.width(), image.height());
        return Resampler.resize(image, s[0], s[1], config.resample());
    }

    /** {@code pixel_values}: float32 [3, padH, padW], the normalised resized image top-left, zeros elsewhere. */
    public float[] paddedPixelValues(RgbImage image) {
        RgbImage r = resize(image);
        int pw = config.padWidth();
        int ph = config.padHeight();
        float[] out = new float[3 * pw * ph];
        normalizer.writeChw(r, 0, 0, r.width(), r.height(), out, pw, ph);
        return out;
    }

    /** The resized image as HWC float 0..255 (samexporter's {@code input_image} with preprocessing in the graph). */
    public float[] resizedHwc0to255(RgbImage image) {
        byte[] rgb = resize(image).rgb();
        float[] out = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = rgb[i] & 0xff;
        }
        return out;
    }

    /**
     * A point of the original {@code width x height} image in the resized frame (HF
     * {@code _normalize_coordinates}): {@code x * new_w / old_w}, {@code y * new_h / old_h}.
     */
    public float[] toModelFrame(float x, float y, int width, int height) {
        int[] s = resizedSize(width, height);
        return new float[] {(float) (x * ((double) s[0] / width)), (float) (y * ((double) s[1] / height))};
    }

    /** A box of the original image in the resized frame (its two corners as points). */
    public Box toModelFrame(Box box, int width, int height) {
        float[] a = toModelFrame(box.x1(), box.y1(), width, height);
        float[] b = toModelFrame(box.x2(), box.y2(), width, height);
        return new Box(a[0], a[1], b[0], b[1]);
    }
}
