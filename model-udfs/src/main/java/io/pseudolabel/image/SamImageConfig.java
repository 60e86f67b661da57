package io.pseudolabel.image;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * SAM's {@code preprocessor_config.json} (HF {@code SamImageProcessor}): longest edge, pad size, resample,
 * rescale, mean/std. The official segment-anything constants ({@code pixel_mean = 255 * ImageNet mean})
 * are the same numbers, so {@link #defaults()} serves exports that ship no config.
 */
public record SamImageConfig(
        int longestEdge,
        int padHeight,
        int padWidth,
        Resampler.Filter resample,
        boolean doRescale,
        double rescaleFactor,
        boolean doNormalize,
        float[] imageMean,
        float[] imageStd) {

    public SamImageConfig {
        if (padHeight < longestEdge || padWidth < longestEdge) {
            throw new IllegalArgumentException("SAM pad size " + padWidth + "x" + padHeight
                    + " is smaller than the longest edge " + longestEdge);
        }
        imageMean = imageMean.clone();
        imageStd = imageStd.clone();
    }

    public static SamImageConfig defaults() {
        return new SamImageConfig(1024, 1024, 1024, Resampler.Filter.BILINEAR, true, 1 / 255.0, true,
                DinoImageConfig.IMAGENET_MEAN, DinoImageConfig.IMAGENET_STD);
    }

    public static SamImageConfig fromJson(Path path) {
        return from(ConfigJson.read(path));
    }

    /** The config in {@code dir/preprocessor_config.json} when present, else {@link #defaults()}. */
    public static SamImageConfig fromDirectory(Path dir) {
        Path p = dir.resolve("preprocessor_config.json");
        return Files.isRegularFile(p) ? fromJson(p) : defaults();
    }

    public static SamImageConfig fromJsonString(String json, String source) {
        return from(ConfigJson.parse(json, source));
    }

    private static SamImageConfig from(ConfigJson c) {
        Integer longest = c.plainInt("size");
        if (longest == null) {
            longest = c.sizeField("size", "longest_edge");
        }
        if (longest == null) {
            if (c.has("size")) {
                throw c.bad("size", "{\"longest_edge\": n}");
            }
            longest = 1024;
        }
        Integer ph = c.plainInt("pad_size");
        Integer pw = ph;
        if (ph == null) {
            ph = c.sizeField("pad_size", "height");
            pw = c.sizeField("pad_size", "width");
        }
        if (ph == null || pw == null) {
            if (c.has("pad_size")) {
                throw c.bad("pad_size", "{\"height\": h, \"width\": w}");
            }
            ph = longest;
            pw = longest;
        }
        return new SamImageConfig(longest, ph, pw, c.resample(Resampler.Filter.BILINEAR), c.bool("do_rescale", true),
                c.number("rescale_factor", 1 / 255.0), c.bool("do_normalize", true),
                c.triple("image_mean", DinoImageConfig.IMAGENET_MEAN), c.triple("image_std", DinoImageConfig.IMAGENET_STD));
    }
}
