package io.pseudolabel.image;

import java.nio.file.Path;

/**
 * CLIP's {@code preprocessor_config.json} (HF {@code CLIPImageProcessor}). {@code size} is either
 * {@code {"shortest_edge": n}} / a plain int n (shortest edge to n, aspect kept) or {@code {"height","width"}}
 * (plain resize); {@code crop_size} is an int or {@code {"height","width"}}. Missing keys take HF's defaults,
 * which are the openai/clip-vit-base-patch16 values. Unknown keys are ignored.
 */
public record ClipImageConfig(
        Integer shortestEdge,
        Integer resizeHeight,
        Integer resizeWidth,
        boolean doResize,
        Resampler.Filter resample,
        boolean doCenterCrop,
        int cropHeight,
        int cropWidth,
        boolean doRescale,
        double rescaleFactor,
        boolean doNormalize,
        float[] imageMean,
        float[] imageStd) {

    public static final float[] OPENAI_CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] OPENAI_CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    public ClipImageConfig {
        if ((shortestEdge == null) == (resizeHeight == null || resizeWidth == null)) {
            throw new IllegalArgumentException("CLIP size needs exactly one of shortest_edge or height+width");
        }
        imageMean = imageMean.clone();
        imageStd = imageStd.clone();
    }

    /** openai/clip-vit-base-patch16: shortest edge 224, bicubic, centre crop 224, 1/255, CLIP mean/std. */
    public static ClipImageConfig defaults() {
        return new ClipImageConfig(224, null, null, true, Resampler.Filter.BICUBIC, true, 224, 224, true, 1 / 255.0,
                true, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD);
    }

    public static ClipImageConfig fromJson(Path path) {
        return from(ConfigJson.read(path));
    }

    /** For tests and for configs held in memory; {@code source} names them in errors. */
    public static ClipImageConfig fromJsonString(String json, String source) {
        return from(ConfigJson.parse(json, source));
    }

    private static ClipImageConfig from(ConfigJson c) {
        Integer shortest = c.plainInt("size");
        if (shortest == null) {
            shortest = c.sizeField("size", "shortest_edge");
        }
        Integer h = c.sizeField("size", "height");
        Integer w = c.sizeField("size", "width");
        if (!c.has("size")) {
            shortest = 224;
        } else if (shortest == null && (h == null || w == null)) {
            throw c.bad("size", "an int, {\"shortest_edge\": n} or {\"height\": h, \"width\": w}");
        }
        if (shortest != null) {
            h = null;
            w = null;
        }
        int cropH = 224;
        int cropW = 224;
        Integer crop = c.plainInt("crop_size");
        if (crop != null) {
            cropH = crop;
            cropW = crop;
        } else if (c.has("crop_size")) {
            Integer ch = c.sizeField("crop_size", "height");
            Integer cw = c.sizeField("crop_size", "width");
            if (ch == null || cw == null) {
                throw c.bad("crop_size", "an int or {\"height\": h, \"width\": w}");
            }
            cropH = ch;
            cropW = cw;
        }
        return new ClipImageConfig(shortest, h, w, c.bool("do_resize", true), c.resample(Resampler.Filter.BICUBIC),
                c.bool("do_center_crop", true), cropH, cropW, c.bool("do_rescale", true),
                c.number("rescale_factor", 1 / 255.0), c.bool("do_normalize", true),
                c.triple("image_mean", OPENAI_CLIP_MEAN), c.triple("image_std", OPENAI_CLIP_STD));
    }
}
