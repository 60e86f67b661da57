package io.pseudolabel.image;

import io.pseudolabel.geom.Box;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * SAM 2.1's image geometry (model-contracts §4): the image is stretched to 1024x1024, its aspect ratio not
 * kept and nothing padded, rescaled by 1/255 and normalised with ImageNet mean/std into CHW; prompt
 * coordinates go into that frame with one scale per axis, {@code x * 1024 / W} and {@code y * 1024 / H}.
 * The two export families differ only in the bilinear resize of their reference runners:
 * <ul>
 *   <li>onnx-community (transformers.js, HF {@code Sam2ImageProcessorFast}): torchvision's resize with
 *       {@code antialias=True}, which on 8-bit images is Pillow's bilinear ({@link Resampler#resize});
 *       {@code preprocessor_config.json} is read when present;</li>
 *   <li>samexporter (and AnyLabeling): {@code cv2.resize(img, (1024, 1024))}, bilinear without
 *       antialiasing ({@link Resampler#resizeLinear}), fixed ImageNet constants.</li>
 * </ul>
 * Pure and thread-safe.
 */
public final class Sam2ImageProcessor {
    /** The side of SAM 2.1's square input frame. */
    public static final int FRAME = 1024;

    /** How the image is resized to the frame. */
    public enum Resize {
        /** Pillow bilinear with antialiasing (HF/torchvision {@code antialias=True}): onnx-community. */
        ANTIALIASED,
        /** Two-tap bilinear without antialiasing, {@code cv2.resize} INTER_LINEAR bit for bit: samexporter. */
        LINEAR
    }

    private final Resize resize;
    private final Resampler.Filter filter;
    private final PixelNormalizer normalizer;
    private final String description;

    private Sam2ImageProcessor(Resize resize, Resampler.Filter filter, boolean doRescale, double rescale,
            boolean doNormalize, float[] mean, float[] std, String description) {
        this.resize = resize;
        this.filter = filter;
        this.normalizer = new PixelNormalizer(doRescale, rescale, doNormalize, mean, std);
        this.description = description;
    }

    /** samexporter's runner: {@code cv2.resize} (INTER_LINEAR) to 1024x1024, {@code /255}, ImageNet mean/std. */
    public static Sam2ImageProcessor samexporter() {
        return new Sam2ImageProcessor(Resize.LINEAR, null, true, 1 / 255.0, true, DinoImageConfig.IMAGENET_MEAN,
                DinoImageConfig.IMAGENET_STD, "stretch to 1024x1024, bilinear without antialiasing (cv2.resize "
                        + "INTER_LINEAR), ImageNet mean/std");
    }

    /** HF {@code Sam2ImageProcessorFast}'s defaults: Pillow bilinear to 1024x1024, {@code /255}, ImageNet mean/std. */
    public static Sam2ImageProcessor onnxCommunity() {
        return new Sam2ImageProcessor(Resize.ANTIALIASED, Resampler.Filter.BILINEAR, true, 1 / 255.0, true,
                DinoImageConfig.IMAGENET_MEAN, DinoImageConfig.IMAGENET_STD,
                "stretch to 1024x1024, bilinear with antialiasing (Pillow/torchvision), ImageNet mean/std");
    }

    /**
     * The onnx-community processor from {@code dir/preprocessor_config.json}, or {@link #onnxCommunity()} when
     * there is none. The file must ask for a plain resize to {@code {"height": 1024, "width": 1024}}: a
     * {@code longest_edge} size is the aspect-keeping processor of the older {@code onnx-community/sam2-hiera-*}
     * repositories (no {@code -ONNX}), which this export family does not use, and is refused naming the file.
     */
    public static Sam2ImageProcessor fromDirectory(Path dir) {
        Path p = dir.resolve("preprocessor_config.json");
        return Files.isRegularFile(p) ? from(ConfigJson.read(p), p.toString()) : onnxCommunity();
    }

    public static Sam2ImageProcessor fromJsonString(String json, String source) {
        return from(ConfigJson.parse(json, source), source);
    }

    private static Sam2ImageProcessor from(ConfigJson c, String source) {
        Integer h = c.sizeField("size", "height");
        Integer w = c.sizeField("size", "width");
        if (c.has("size") && (h == null || w == null || h != FRAME || w != FRAME)) {
            throw new IllegalArgumentException(source + ": SAM 2.1 'size' must be {\"height\": 1024, \"width\": 1024} "
                    + "(the image is stretched to the encoder's 1024x1024 input); found " + c.json.get("size")
                    + (c.sizeField("size", "longest_edge") != null ? " (a longest_edge resize keeps the aspect ratio "
                    + "and pads, as the older onnx-community/sam2-hiera-* processors do; this export family does not)"
                    : ""));
        }
        if (!c.bool("do_resize", true)) {
            throw new IllegalArgumentException(source + ": SAM 2.1 needs do_resize (the encoder takes 1024x1024 only)");
        }
        Resampler.Filter f = c.resample(Resampler.Filter.BILINEAR);
        boolean rescale = c.bool("do_rescale", true);
        double factor = c.number("rescale_factor", 1 / 255.0);
        boolean normalize = c.bool("do_normalize", true);
        float[] mean = c.triple("image_mean", DinoImageConfig.IMAGENET_MEAN);
        float[] std = c.triple("image_std", DinoImageConfig.IMAGENET_STD);
        return new Sam2ImageProcessor(Resize.ANTIALIASED, f, rescale, factor, normalize, mean, std,
                "stretch to 1024x1024, " + f.name().toLowerCase(Locale.ROOT) + " with antialiasing "
                        + "(Pillow/torchvision), mean " + Arrays.toString(mean) + " std "
                        + Arrays.toString(std) + " (" + source + ")");
    }

    public Resize resize() {
        return resize;
    }

    public String describe() {
        return description;
    }

    /** The image stretched to 1024x1024, 8-bit, as the family's runner resizes it. */
    public RgbImage stretch(RgbImage image) {
        return resize == Resize.LINEAR ? Resampler.resizeLinear(image, FRAME, FRAME)
                : Resampler.resize(image, FRAME, FRAME, filter);
    }

    /** {@code pixel_values} / {@code image}: float32 [3, 1024, 1024], the stretched image normalised. */
    public float[] pixelValues(RgbImage image) {
        RgbImage r = stretch(image);
        float[] out = new float[3 * FRAME * FRAME];
        normalizer.writeChw(r, 0, 0, FRAME, FRAME, out, FRAME, FRAME);
        return out;
    }

    /** A box of the {@code width x height} image in the 1024x1024 frame: {@code x * 1024 / W}, {@code y * 1024 / H}. */
    public static Box toModelFrame(Box box, int width, int height) {
        double sx = (double) FRAME / width;
        double sy = (double) FRAME / height;
        return new Box((float) (box.x1() * sx), (float) (box.y1() * sy), (float) (box.x2() * sx),
                (float) (box.y2() * sy));
    }
}
