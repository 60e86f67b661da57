package io.pseudolabel.image;

import java.nio.file.Path;

/**
 * Grounding-DINO's {@code preprocessor_config.json}. {@code size} is either {@code {"height","width"}} (a
 * plain resize to that size, aspect not kept: the onnx-community export's fixed 800x800) or
 * {@code {"shortest_edge","longest_edge"}} (HF's aspect-keeping rule, IDEA-Research's 800/1333). The
 * legacy form {@code "size": n, "max_size": m} is read as the latter. Defaults: 800/1333, bilinear,
 * 1/255, ImageNet mean/std.
 */
public record DinoImageConfig(
        Integer fixedHeight,
        Integer fixedWidth,
        Integer shortestEdge,
        Integer longestEdge,
        boolean doResize,
        Resampler.Filter resample,
        boolean doRescale,
        double rescaleFactor,
        boolean doNormalize,
        float[] imageMean,
        float[] imageStd) {

    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    public DinoImageConfig {
        boolean fixed = fixedHeight != null && fixedWidth != null;
        if (fixed == (shortestEdge != null)) {
            throw new IllegalArgumentException("DINO size needs exactly one of height+width or shortest_edge(+longest_edge)");
        }
        imageMean = imageMean.clone();
        imageStd = imageStd.clone();
    }

    /** HF GroundingDinoImageProcessor defaults: shortest edge 800, longest 1333. */
    public static DinoImageConfig defaults() {
        return new DinoImageConfig(null, null, 800, 1333, true, Resampler.Filter.BILINEAR, true, 1 / 255.0, true,
                IMAGENET_MEAN, IMAGENET_STD);
    }

    public boolean isFixedSize() {
        return fixedHeight != null;
    }

    public static DinoImageConfig fromJson(Path path) {
        return from(ConfigJson.read(path));
    }

    public static DinoImageConfig fromJsonString(String json, String source) {
        return from(ConfigJson.parse(json, source));
    }

    private static DinoImageConfig from(ConfigJson c) {
        Integer h = null;
        Integer w = null;
        Integer shortest = null;
        Integer longest = null;
        if (!c.has("size")) {
            shortest = 800;
            longest = 1333;
        } else if (c.plainInt("size") != null) {
            shortest = c.plainInt("size");
            longest = c.has("max_size") ? c.intOr("max_size", 1333) : null;
        } else {
            h = c.sizeField("size", "height");
            w = c.sizeField("size", "width");
            shortest = c.sizeField("size", "shortest_edge");
            longest = c.sizeField("size", "longest_edge");
            boolean fixed = h != null && w != null;
            if (fixed == (shortest != null)) {
                throw c.bad("size", "{\"height\": h, \"width\": w} or {\"shortest_edge\": s, \"longest_edge\": l}");
            }
            if (fixed) {
                longest = null;
            }
        }
        return new DinoImageConfig(h, w, shortest, longest, c.bool("do_resize", true),
                c.resample(Resampler.Filter.BILINEAR), c.bool("do_rescale", true), c.number("rescale_factor", 1 / 255.0),
                c.bool("do_normalize", true), c.triple("image_mean", IMAGENET_MEAN), c.triple("image_std", IMAGENET_STD));
    }
}
