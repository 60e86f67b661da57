package io.pseudolabel.labeler;

import io.pseudolabel.image.ImageDecodeException;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.SceneObject;
import io.pseudolabel.scenes.VocSceneWriter;

import java.util.ArrayList;
import java.util.List;

/** Generated scenes as the labeller sees them: JPEG bytes decoded again. */
public final class SceneImages {
    public static final FixtureWorld WORLD = FixtureWorld.load();
    private static final SceneGenerator GENERATOR = new SceneGenerator(WORLD, 11L);

    private SceneImages() {}

    public static Scene scene(int index) {
        return GENERATOR.scene(index);
    }

    public static byte[] jpeg(Scene scene) {
        return VocSceneWriter.jpeg(scene.image(), VocSceneWriter.JPEG_QUALITY);
    }

    /** The scene through JPEG and the project's decoder, as the labeller reads it. */
    public static RgbImage decoded(Scene scene) {
        try {
            return new ImageDecoder(100_000_000L).decode(jpeg(scene), scene.id() + ".jpg");
        } catch (ImageDecodeException e) {
            throw new AssertionError(e);
        }
    }

    /** The first {@code count} scenes (from index 0) whose objects all have different classes. */
    public static List<Scene> distinctClassScenes(int count) {
        List<Scene> out = new ArrayList<>();
        for (int i = 0; out.size() < count; i++) {
            Scene s = scene(i);
            if (s.objects().stream().map(SceneObject::classId).distinct().count() == s.objects().size()) {
                out.add(s);
            }
        }
        return out;
    }
}
