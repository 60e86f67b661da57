package io.pseudolabel.labeler;

import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.eval.ConfusionMatrix;
import io.pseudolabel.masks.LabeledInstance;
import io.pseudolabel.masks.Selection;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Label quality from the models' own signals, on scenes with faint objects, through the real fixture models. */
class QualityEndToEndTest {
    static final FixtureWorld WORLD = FixtureWorld.load();
    static final int SCENES = 24;

    private record Labelled(List<Scene> scenes, List<LabelResult> results) {}

    private static Labelled label(LabelerSettings settings, SceneGenerator gen) {
        List<String> classes = WORLD.classNames();
        try (ModelSet models = ModelSet.load(settings, settings.runtime())) {
            PseudoLabeler labeler = new PseudoLabeler(models, settings, classes, Fixtures.text(settings, classes),
                    Selection.WHOLE_OVER_PART);
            List<Prepared> batch = new ArrayList<>();
            List<Scene> scenes = new ArrayList<>();
            for (int i = 0; i < SCENES; i++) {
                Scene scene = gen.scene(i);
                byte[] jpeg = VocSceneWriter.jpeg(scene.image(), VocSceneWriter.JPEG_QUALITY);
                batch.add(labeler.prepare(new ImageInput(scene.id(), scene.id() + ".jpg", jpeg, List.of(), List.of())));
                scenes.add(scene);
            }
            return new Labelled(scenes, labeler.label(batch));
        }
    }

    private static double imageMiou(Scene s, LabelResult r) {
        ConfusionMatrix m = new ConfusionMatrix(WORLD.classNames().size() + 1);
        m.add(s.truth().ids(), r.semantic().ids());
        return m.meanIou();
    }

    @Test
    void fullColourScenesAreTrustedAndFaintOnesRankLower() {
        SceneGenerator gen = new SceneGenerator(WORLD, 11L);
        Labelled plain = label(Fixtures.settings(), gen);
        Labelled faint = label(Fixtures.settings(), gen.withFaintObjects(1.0));
        double plainMean = 0;
        double faintMean = 0;
        int lower = 0;
        for (int i = 0; i < SCENES; i++) {
            LabelResult p = plain.results().get(i);
            LabelResult f = faint.results().get(i);
            assertEquals(LabelStatus.OK, p.status(), p.error());
            assertEquals(LabelStatus.OK, f.status(), f.error());
            assertNotNull(p.quality());
            for (LabeledInstance inst : p.instances()) {
                assertNotNull(inst.quality());
                assertTrue(inst.quality() >= 0 && inst.quality() <= 1, "quality " + inst.quality());
                assertTrue(p.quality() <= inst.quality(), "an image is no better than its weakest instance");
            }
            plainMean += p.quality();
            faintMean += f.quality();
            lower += f.quality() < p.quality() ? 1 : 0;
        }
        plainMean /= SCENES;
        faintMean /= SCENES;
        System.out.printf("mean image quality: full colour %.3f, every object faint %.3f (%d of %d lower)%n",
                plainMean, faintMean, lower, SCENES);
        assertTrue(plainMean > 0.85, "full-colour scenes: " + plainMean);
        assertTrue(faintMean < plainMean - 0.03, "faint " + faintMean + " vs " + plainMean);
        assertTrue(lower >= SCENES * 3 / 4, lower + " of " + SCENES + " faint scenes rank lower");
    }

    @Test
    void ignoreBelowPaintsWeakInstancesIgnoreAndNothingElse() {
        SceneGenerator gen = new SceneGenerator(WORLD, 11L).withFaintObjects(0.5);
        Labelled off = label(Fixtures.settings(), gen);
        Labelled on = label(Fixtures.settings(Map.of("grouping.ignore-below", "0.75")), gen);
        int ignored = 0;
        int kept = 0;
        for (int i = 0; i < SCENES; i++) {
            LabelResult a = off.results().get(i);
            LabelResult b = on.results().get(i);
            assertEquals(a.quality(), b.quality());
            byte[] x = a.semantic().ids();
            byte[] y = b.semantic().ids();
            for (int k = 0; k < x.length; k++) {
                if (x[k] != y[k]) {
                    assertEquals((byte) 255, y[k]);
                    ignored++;
                }
            }
            boolean weak = a.instances().stream().anyMatch(inst -> inst.quality() < 0.75f);
            assertEquals(weak, !Arrays.equals(x, y), "scene " + i);
            kept += weak ? 0 : 1;
        }
        assertTrue(ignored > 0, "some faint instance is below 0.75");
        assertTrue(kept > 0, "some scene has no instance below 0.75");
    }

    @Test
    void qualityTracksTheImagesMiou() {
        Labelled faint = label(Fixtures.settings(), new SceneGenerator(WORLD, 11L).withFaintObjects(0.3));
        double[] q = new double[SCENES];
        double[] iou = new double[SCENES];
        for (int i = 0; i < SCENES; i++) {
            q[i] = faint.results().get(i).quality();
            iou[i] = imageMiou(faint.scenes().get(i), faint.results().get(i));
        }
        double rho = spearman(q, iou);
        System.out.printf("%d scenes, 30%% faint objects: Spearman(image quality, image mIoU) %.3f%n", SCENES, rho);
        assertTrue(rho >= 0.5, "Spearman " + rho);
    }

    static double spearman(double[] x, double[] y) {
        double[] rx = ranks(x);
        double[] ry = ranks(y);
        double m = (x.length + 1) / 2.0;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (rx[i] - m) * (ry[i] - m);
            sxx += (rx[i] - m) * (rx[i] - m);
            syy += (ry[i] - m) * (ry[i] - m);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    private static double[] ranks(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int less = 0, same = 0;
            for (double w : v) {
                less += w < v[i] ? 1 : 0;
                same += w == v[i] ? 1 : 0;
            }
            r[i] = less + (same + 1) / 2.0;
        }
        return r;
    }
}
