package io.pseudolabel.clip.head;

import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.image.RgbImage;

import java.util.ArrayList;
import java.util.List;

/**
 * The training input of finetune-clip for one image: CLIP {@code image_embeds} of the image itself and of
 * {@code views - 1} augmented views, in one batched call of the vision model.
 */
public final class ViewEmbedder {
    private final ClipModel clip;
    private final ViewAugmenter augmenter;
    private final int views;
    private final long seed;

    public ViewEmbedder(ClipModel clip, ClipHeadSettings settings) {
        this.clip = clip;
        int[] size = clip.inputSize();
        this.augmenter = new ViewAugmenter(settings.augment(), size[0], size[1], clip.resample());
        this.views = settings.views();
        this.seed = settings.train().seed();
    }

    /** {@code views} raw embeddings; view {@code v > 0} is drawn from (seed, imageKey, v) only. */
    public float[][] embed(RgbImage image, String imageKey) {
        List<float[]> pixels = new ArrayList<>(views);
        pixels.add(clip.preprocess(image));
        for (int v = 1; v < views; v++) {
            pixels.add(clip.preprocess(augmenter.view(image, viewSeed(seed, imageKey, v))));
        }
        return clip.embedImages(pixels);
    }

    /** A seed for view {@code v} of the image named {@code key}: stable across runs and JVMs. */
    public static long viewSeed(long seed, String key, int v) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x100000001B3L;
        }
        h ^= v * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        return h ^ (h >>> 33);
    }
}
