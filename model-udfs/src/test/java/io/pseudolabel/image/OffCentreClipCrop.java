package io.pseudolabel.image;

/**
 * A classic CLIP preprocessing mistake, for negative controls: the crop window taken at the resized image's
 * top-left corner instead of its centre (otherwise {@link ClipImageProcessor#pixelValues}).
 */
public final class OffCentreClipCrop {
    private OffCentreClipCrop() {
    }

    public static float[] pixelValues(ClipImageConfig config, RgbImage image) {
        ClipImageProcessor right = new ClipImageProcessor(config);
        int[] size = right.resizedSize(image.width(), image.height());
        RgbImage resized = Resampler.resize(image, size[0], size[1], config.resample());
        int cw = config.cropWidth();
        int ch = config.cropHeight();
        float[] out = new float[3 * ch * cw];
        new PixelNormalizer(config.doRescale(), config.rescaleFactor(), config.doNormalize(), config.imageMean(),
                config.imageStd()).writeChw(resized, 0, 0, cw, ch, out, cw, ch);
        return out;
    }
}
