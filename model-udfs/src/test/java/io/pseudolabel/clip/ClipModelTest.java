package io.pseudolabel.clip;

import io.pseudolabel.image.RgbImage;
import io.pseudolabel.labeler.Fixtures;
import io.pseudolabel.labeler.SceneImages;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CLIP through DJL and ONNX Runtime on the fixture exports. */
class ClipModelTest {
    static final List<String> CLASSES = SceneImages.WORLD.classNames();
    static final List<String> TEMPLATES = List.of("a photo of a {}.", "a picture of the {}.");

    static float[][] probabilities(ClipModel clip, List<RgbImage> images) {
        ClipTextEmbeddings text = clip.embedClasses(CLASSES, TEMPLATES, 5, "t");
        float[][] embeds = clip.embedImages(images.stream().map(clip::preprocess).toList());
        float[][] p = new float[embeds.length][];
        for (int i = 0; i < embeds.length; i++) {
            p[i] = ClipZeroShot.probabilities(embeds[i], text.embeddings(), 100f);
        }
        return p;
    }

    @Test
    void splitAndCombinedExportsGiveTheSameProbabilities() {
        List<Scene> scenes = List.of(SceneImages.scene(0), SceneImages.scene(1), SceneImages.scene(2));
        List<RgbImage> images = scenes.stream().map(SceneImages::decoded).toList();
        float[][] split;
        float[][] combined;
        try (ClipModel clip = ClipModel.load(Fixtures.model("clip"), Fixtures.cpu())) {
            assertEquals(ClipFormat.SPLIT, clip.format());
            assertTrue(clip.describe().contains("pixel_values") && clip.describe().contains("input_ids"),
                    clip.describe());
            split = probabilities(clip, images);
        }
        try (ClipModel clip = ClipModel.load(Fixtures.model("clip-combined"), Fixtures.cpu())) {
            assertEquals(ClipFormat.COMBINED, clip.format());
            combined = probabilities(clip, images);
        }
        for (int i = 0; i < images.size(); i++) {
            assertEquals(CLASSES.size(), split[i].length);
            assertArrayEquals(split[i], combined[i], 1e-4f, "scene " + i);
            // and they name a class that is in the scene
            int best = ClipZeroShot.topLabels(split[i], 1, 0f).get(0);
            int bestClass = best + 1;
            assertTrue(scenes.get(i).objects().stream().anyMatch(o -> o.classId() == bestClass),
                    "scene " + i + " top class " + CLASSES.get(best) + " not among "
                            + scenes.get(i).objects().stream().map(SceneObject::name).toList());
        }
    }

    @Test
    void aBatchGivesWhatSingleImagesGive() {
        List<RgbImage> images = List.of(SceneImages.decoded(SceneImages.scene(3)),
                SceneImages.decoded(SceneImages.scene(4)));
        try (ClipModel clip = ClipModel.load(Fixtures.model("clip"), Fixtures.cpu())) {
            float[][] both = clip.embedImages(images.stream().map(clip::preprocess).toList());
            for (int i = 0; i < 2; i++) {
                float[][] one = clip.embedImages(List.of(clip.preprocess(images.get(i))));
                assertArrayEquals(one[0], both[i], 1e-5f);
            }
            assertEquals(0, clip.embedImages(List.of()).length);
        }
    }

    @Test
    void classEmbeddingsAreUnitVectorsInClassOrderWhateverTheBatchSize() {
        try (ClipModel clip = ClipModel.load(Fixtures.model("clip"), Fixtures.cpu())) {
            // 6 classes x 2 templates = 12 prompts, in batches of 5 (5 + 5 + 2) and of 64
            ClipTextEmbeddings a = clip.embedClasses(CLASSES, TEMPLATES, 5, "fp");
            ClipTextEmbeddings b = clip.embedClasses(CLASSES, TEMPLATES, 64, "fp");
            assertEquals(CLASSES, a.classNames());
            assertEquals("fp", a.modelFingerprint());
            for (int c = 0; c < CLASSES.size(); c++) {
                double norm = 0;
                for (float v : a.embeddings()[c]) {
                    norm += v * v;
                }
                assertEquals(1.0, norm, 1e-5);
                assertArrayEquals(a.embeddings()[c], b.embeddings()[c], 1e-6f);
            }
        }
    }
}
