package io.pseudolabel.dino;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.labeler.Fixtures;
import io.pseudolabel.labeler.SceneImages;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Grounding-DINO through DJL and ONNX Runtime: boxes land on the scene objects in original pixels. */
class DinoModelTest {

    @ParameterizedTest
    @ValueSource(strings = {"grounding-dino", "grounding-dino-hf"})
    void boxesAreWithinTwoPixelsOfTheObjects(String dir) {
        try (DinoModel dino = DinoModel.load(Fixtures.model(dir), Fixtures.cpu(), Fixtures.settings().dino())) {
            assertTrue(dino.describe().contains("pixel_values"), dino.describe());
            // two scenes of different sizes keep this fast (each phrase is one inference)
            List<Scene> scenes = SceneImages.distinctClassScenes(2);
            assertTrue(scenes.get(0).image().width() != scenes.get(1).image().width()
                    || scenes.get(0).image().height() != scenes.get(1).image().height());
            assertTrue(scenes.stream().anyMatch(s -> s.objects().size() >= 2));
            for (Scene scene : scenes) {
                RgbImage image = SceneImages.decoded(scene);
                List<String> names = scene.objects().stream().map(SceneObject::name).toList();
                List<Detection> found = dino.detect(image, names);
                assertEquals(names.size(), found.size(), scene.id() + " " + image.width() + "x" + image.height()
                        + ": " + found);
                for (int i = 0; i < names.size(); i++) {
                    int k = i;
                    Detection d = found.stream().filter(x -> x.classIndex() == k).findFirst().orElseThrow();
                    assertEquals(names.get(i), d.phrase());
                    assertTrue(d.score() > 0.35f, d.toString());
                    assertNear(scene.objects().get(i).box(), d.box(), 2f, dir + " " + scene.id() + " " + names.get(i));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"grounding-dino", "grounding-dino-hf"})
    void classesNotInTheImageFindNothing(String dir) {
        Scene scene = SceneImages.distinctClassScenes(1).get(0);
        List<String> present = scene.objects().stream().map(SceneObject::name).toList();
        List<String> absent = SceneImages.WORLD.classNames().stream().filter(n -> !present.contains(n))
                .limit(1).collect(Collectors.toList());
        try (DinoModel dino = DinoModel.load(Fixtures.model(dir), Fixtures.cpu(), Fixtures.settings().dino())) {
            assertEquals(List.of(), dino.detect(SceneImages.decoded(scene), absent));
            assertEquals(List.of(), dino.detect(SceneImages.decoded(scene), List.of()));
        }
    }

    static void assertNear(Box expected, Box actual, float px, String what) {
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        for (int i = 0; i < 4; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= px, what + ": " + actual + " vs " + expected);
        }
    }
}
