package io.pseudolabel.segmenter;

import io.pseudolabel.image.RgbImage;

import java.util.Random;

/**
 * Training-time augmentation and inference preprocessing, as plain array code.
 *
 * <p>Training ({@link #augment}), {@code random} crops: normalise with the ImageNet mean/std, scale by a
 * random factor in {@code [minScale, maxScale)} (bilinear for the image, nearest for the labels), pad on
 * the right and bottom to at least the crop size (image with the mean, i.e. 0 after normalisation; labels
 * with 255), take a random {@code crop x crop} window. {@code resize-center} crops (the paper's §4.2,
 * torchvision's {@code Resize(crop)} + {@code CenterCrop(crop)}): scale so that the shorter side is the
 * crop size, take the centre window (offset {@code floor((side - crop) / 2)}). Either is then flipped
 * horizontally with probability 1/2 when flipping is on. Inference ({@link #inferenceInput}): normalise
 * and pad right/bottom to a multiple of 16.
 *
 * <p>Images are HWC {@code float[]} while they are transformed and CHW in the crops handed to the
 * network. Random draws, in order: scale, crop x, crop y (random crops only), flip (when on).
 */
public final class Augmenter {

    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] STD = {0.229f, 0.224f, 0.225f};
    public static final byte IGNORE = (byte) 255;

    /** A network-ready crop: {@code chw} is {@code 3*size*size} normalised floats, labels row-major. */
    public record Crop(int size, float[] chw, byte[] labels) {
    }

    /** A normalised CHW image padded to {@code paddedWidth x paddedHeight} (multiples of 16). */
    public record Padded(int width, int height, int paddedWidth, int paddedHeight, float[] chw) {
    }

    private final int cropSize;
    private final float minScale;
    private final float maxScale;
    private final boolean resizeCenter;
    private final boolean flip;

    /** Random crops with random flips. */
    public Augmenter(int cropSize, float minScale, float maxScale) {
        this(cropSize, minScale, maxScale, CropMode.RANDOM, true);
    }

    public Augmenter(int cropSize, float minScale, float maxScale, CropMode cropMode, boolean flip) {
        this.cropSize = cropSize;
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.resizeCenter = cropMode == CropMode.RESIZE_CENTER;
        this.flip = flip;
    }

    public Augmenter(SegmenterConfig config) {
        this(config.cropSize(), config.minScale(), config.maxScale(), config.cropMode(), config.flip());
    }

    /** One training crop of {@code sample} (random, or the centre one, see the class comment). */
    public Crop augment(Sample sample, Random rnd) {
        int w = sample.image().width();
        int h = sample.image().height();
        double s = resizeCenter ? (double) cropSize / Math.min(w, h)
                : minScale + rnd.nextDouble() * (maxScale - minScale);
        int nw = resizeCenter && w <= h ? cropSize : scaled(w, s);
        int nh = resizeCenter && h < w ? cropSize : scaled(h, s);
        float[] img = resizeBilinear(normalise(sample.image()), w, h, 3, nw, nh);
        byte[] lab = resizeNearest(sample.labels().ids(), w, h, nw, nh);
        int x0;
        int y0;
        if (resizeCenter) {
            x0 = Math.max(0, nw - cropSize) / 2;
            y0 = Math.max(0, nh - cropSize) / 2;
        } else {
            x0 = rnd.nextInt(Math.max(nw, cropSize) - cropSize + 1);
            y0 = rnd.nextInt(Math.max(nh, cropSize) - cropSize + 1);
        }
        boolean mirrored = flip && rnd.nextBoolean();
        return crop(img, lab, nw, nh, cropSize, x0, y0, mirrored);
    }

    /** {@code max(1, round(n * s))}. */
    static int scaled(int n, double s) {
        return Math.max(1, (int) Math.round(n * s));
    }

    /** HWC floats {@code (v/255 - mean[c]) / std[c]}. */
    public static float[] normalise(RgbImage image) {
        byte[] rgb = image.rgb();
        float[] out = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            int c = i % 3;
            out[i] = ((rgb[i] & 0xff) / 255f - MEAN[c]) / STD[c];
        }
        return out;
    }

    /**
     * Bilinear resize of an HWC image with half-pixel centres and edge clamping (PyTorch's
     * {@code interpolate(mode="bilinear", align_corners=False)} without antialiasing).
     */
    public static float[] resizeBilinear(float[] hwc, int w, int h, int channels, int nw, int nh) {
        if (nw == w && nh == h) {
            return hwc.clone();
        }
        int[] xa = new int[nw];
        int[] xb = new int[nw];
        float[] fx = new float[nw];
        axis(w, nw, xa, xb, fx);
        int[] ya = new int[nh];
        int[] yb = new int[nh];
        float[] fy = new float[nh];
        axis(h, nh, ya, yb, fy);
        float[] out = new float[nw * nh * channels];
        for (int y = 0; y < nh; y++) {
            int r0 = ya[y] * w;
            int r1 = yb[y] * w;
            float wy = fy[y];
            for (int x = 0; x < nw; x++) {
                float wx = fx[x];
                int o = (y * nw + x) * channels;
                for (int c = 0; c < channels; c++) {
                    float a = hwc[(r0 + xa[x]) * channels + c];
                    float b = hwc[(r0 + xb[x]) * channels + c];
                    float cc = hwc[(r1 + xa[x]) * channels + c];
                    float d = hwc[(r1 + xb[x]) * channels + c];
                    float top = a + (b - a) * wx;
                    float bottom = cc + (d - cc) * wx;
                    out[o + c] = top + (bottom - top) * wy;
                }
            }
        }
        return out;
    }

    private static void axis(int in, int out, int[] lo, int[] hi, float[] frac) {
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double src = Math.max(0.0, (i + 0.5) * scale - 0.5);
            int i0 = Math.min((int) src, in - 1);
            lo[i] = i0;
            hi[i] = Math.min(i0 + 1, in - 1);
            frac[i] = (float) (src - i0);
        }
    }

    /** Nearest-neighbour resize of a label map: output pixel x reads {@code floor((x + 0.5) * w / nw)}. */
    public static byte[] resizeNearest(byte[] labels, int w, int h, int nw, int nh) {
        if (nw == w && nh == h) {
            return labels.clone();
        }
        int[] xs = new int[nw];
        for (int x = 0; x < nw; x++) {
            xs[x] = Math.min((int) ((x + 0.5) * w / nw), w - 1);
        }
        byte[] out = new byte[nw * nh];
        for (int y = 0; y < nh; y++) {
            int sy = Math.min((int) ((y + 0.5) * h / nh), h - 1);
            for (int x = 0; x < nw; x++) {
                out[y * nw + x] = labels[sy * w + xs[x]];
            }
        }
        return out;
    }

    /**
     * The {@code size x size} window at {@code (x0, y0)} of a {@code w x h} HWC image and its labels,
     * as CHW; pixels outside the image are 0 (the normalised mean) with label 255. With {@code flip}
     * the window is mirrored left-right.
     */
    public static Crop crop(float[] hwc, byte[] labels, int w, int h, int size, int x0, int y0, boolean flip) {
        float[] chw = new float[3 * size * size];
        byte[] lab = new byte[size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            int sy = y0 + y;
            for (int x = 0; x < size; x++) {
                int sx = x0 + (flip ? size - 1 - x : x);
                int o = y * size + x;
                if (sy < h && sx < w && sy >= 0 && sx >= 0) {
                    int i = sy * w + sx;
                    chw[o] = hwc[i * 3];
                    chw[plane + o] = hwc[i * 3 + 1];
                    chw[2 * plane + o] = hwc[i * 3 + 2];
                    lab[o] = labels[i];
                } else {
                    lab[o] = IGNORE;
                }
            }
        }
        return new Crop(size, chw, lab);
    }

    /** The image normalised, as CHW, padded with 0 on the right and bottom to multiples of 16. */
    public static Padded inferenceInput(RgbImage image) {
        int w = image.width();
        int h = image.height();
        int m = SegmenterConfig.OUTPUT_STRIDE;
        int pw = (w + m - 1) / m * m;
        int ph = (h + m - 1) / m * m;
        float[] hwc = normalise(image);
        float[] chw = new float[3 * pw * ph];
        int plane = pw * ph;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                int o = y * pw + x;
                chw[o] = hwc[i];
                chw[plane + o] = hwc[i + 1];
                chw[2 * plane + o] = hwc[i + 2];
            }
        }
        return new Padded(w, h, pw, ph, chw);
    }
}
