package io.pseudolabel.clip.head;

import io.pseudolabel.image.Resampler;
import io.pseudolabel.image.RgbImage;

import java.util.Random;

/**
 * The training views of one image, on plain arrays: torchvision's {@code RandomResizedCrop} (a window, resized
 * to CLIP's square input size with CLIP's own Pillow-exact resampler, so that CLIP's preprocessing that follows
 * neither resizes nor crops it again and the whole window, with its aspect changed, is what CLIP sees), a
 * horizontal flip, and
 * {@code ColorJitter}'s brightness, contrast and saturation (applied in that fixed order; torchvision
 * shuffles the order, which we do not need). Deterministic: a view depends only on its seed.
 */
public final class ViewAugmenter {
    /** torchvision's number of tries before the centre-crop fallback. */
    static final int CROP_TRIES = 10;

    private final ClipHeadSettings.Augment a;
    private final int width;
    private final int height;
    private final Resampler.Filter filter;

    /**
     * @param width  width of every view: CLIP's input (crop) width
     * @param height height of every view: CLIP's input (crop) height
     * @param filter CLIP preprocessing's resampler (bicubic for OpenAI CLIP)
     */
    public ViewAugmenter(ClipHeadSettings.Augment augment, int width, int height, Resampler.Filter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("view size must be positive: " + width + "x" + height);
        }
        this.a = augment;
        this.width = width;
        this.height = height;
        this.filter = filter;
    }

    /** A crop window {@code x, y, w, h} inside a {@code width x height} image. */
    public record Window(int x, int y, int w, int h) {}

    /** One augmented view of {@code image} drawn from {@code seed}. Draws, in order: crop, flip, jitter factors. */
    public RgbImage view(RgbImage image, long seed) {
        Random rnd = new Random(seed);
        Window win = cropWindow(image.width(), image.height(), rnd);
        boolean flip = rnd.nextDouble() < a.flipProbability();
        double b = factor(a.brightness(), rnd);
        double c = factor(a.contrast(), rnd);
        double s = factor(a.saturation(), rnd);
        // RandomResizedCrop (crop, then resize to the output size), then RandomHorizontalFlip, then ColorJitter.
        RgbImage resized = Resampler.resize(crop(image, win, false), width, height, filter);
        RgbImage out = flip ? crop(resized, new Window(0, 0, width, height), true) : resized;
        return jitter(out, b, c, s);
    }

    /** torchvision {@code RandomResizedCrop.get_params} with this augmenter's scale and ratio ranges. */
    public Window cropWindow(int width, int height, Random rnd) {
        double area = (double) width * height;
        double logLo = Math.log(a.minRatio());
        double logHi = Math.log(a.maxRatio());
        for (int i = 0; i < CROP_TRIES; i++) {
            double target = area * (a.minScale() + rnd.nextDouble() * (a.maxScale() - a.minScale()));
            double ratio = Math.exp(logLo + rnd.nextDouble() * (logHi - logLo));
            int w = (int) Math.round(Math.sqrt(target * ratio));
            int h = (int) Math.round(Math.sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                return new Window(rnd.nextInt(width - w + 1), rnd.nextInt(height - h + 1), w, h);
            }
        }
        // Fallback: the whole image, cut to the nearest allowed aspect ratio, centred.
        double in = (double) width / height;
        int w = width;
        int h = height;
        if (in < a.minRatio()) {
            h = Math.max(1, (int) Math.round(w / a.minRatio()));
        } else if (in > a.maxRatio()) {
            w = Math.max(1, (int) Math.round(h * a.maxRatio()));
        }
        return new Window((width - w) / 2, (height - h) / 2, w, h);
    }

    /** A factor uniform in {@code [max(0, 1-x), 1+x]}; exactly 1 when {@code x} is 0 (no draw is made). */
    static double factor(double x, Random rnd) {
        if (x == 0) {
            return 1;
        }
        double lo = Math.max(0, 1 - x);
        return lo + rnd.nextDouble() * (1 + x - lo);
    }

    /** The window's pixels, mirrored left-right when {@code flip}. */
    public static RgbImage crop(RgbImage image, Window win, boolean flip) {
        byte[] src = image.rgb();
        byte[] out = new byte[win.w() * win.h() * 3];
        for (int y = 0; y < win.h(); y++) {
            for (int x = 0; x < win.w(); x++) {
                int sx = win.x() + (flip ? win.w() - 1 - x : x);
                int si = ((win.y() + y) * image.width() + sx) * 3;
                int di = (y * win.w() + x) * 3;
                out[di] = src[si];
                out[di + 1] = src[si + 1];
                out[di + 2] = src[si + 2];
            }
        }
        return new RgbImage(win.w(), win.h(), out);
    }

    /**
     * torchvision's functional brightness ({@code x*b}), contrast (blend with the mean grey level of the
     * image) and saturation (blend with each pixel's grey level), grey = 0.299 R + 0.587 G + 0.114 B; values
     * are clamped to 0..255 after each step and rounded at the end.
     */
    public static RgbImage jitter(RgbImage image, double brightness, double contrast, double saturation) {
        if (brightness == 1 && contrast == 1 && saturation == 1) {
            return image;
        }
        byte[] rgb = image.rgb();
        int n = rgb.length / 3;
        double[] v = new double[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            v[i] = clamp((rgb[i] & 0xff) * brightness);
        }
        double mean = 0;
        for (int p = 0; p < n; p++) {
            mean += grey(v, p);
        }
        mean /= n;
        for (int i = 0; i < v.length; i++) {
            v[i] = clamp(contrast * v[i] + (1 - contrast) * mean);
        }
        for (int p = 0; p < n; p++) {
            double g = grey(v, p);
            for (int c = 0; c < 3; c++) {
                v[p * 3 + c] = clamp(saturation * v[p * 3 + c] + (1 - saturation) * g);
            }
        }
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) Math.round(v[i]);
        }
        return new RgbImage(image.width(), image.height(), out);
    }

    private static double grey(double[] v, int p) {
        return 0.299 * v[p * 3] + 0.587 * v[p * 3 + 1] + 0.114 * v[p * 3 + 2];
    }

    private static double clamp(double x) {
        return Math.max(0, Math.min(255, x));
    }
}
