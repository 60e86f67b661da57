package io.pseudolabel.labeler;

import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.eval.ConfusionMatrix;
import io.pseudolabel.masks.Selection;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.SceneObject;
import io.pseudolabel.scenes.VocSceneWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stage 1 end to end on generated scenes, through the real DJL / ONNX Runtime path of every fixture flavour. */
class PseudoLabelerEndToEndTest {
    static final FixtureWorld WORLD = FixtureWorld.load();
    /**
     * The bar every correct pipeline clears: measured 0.9833 for every flavour and supervision mode on 8 scenes and
     * 0.9877 on 20 (identical over repeated runs; the margin is for ONNX Runtime kernels of other CPUs). It was
     * 0.85, which let a box a few percent off the 1024 frame pass (0.9620, {@link GeometryNegativeControlsTest}).
     */
    static final double BAR = 0.98;

    /** Labels {@code scenes} generated scenes and returns the mIoU of their semantic maps against the truth. */
    static double miou(LabelerSettings settings, Selection selection, int scenes) {
        return miou(settings, selection, scenes, GeometryOverrides.NONE);
    }

    /** As {@link #miou(LabelerSettings, Selection, int)}, with the models' geometries replaced by {@code geometry}. */
    static double miou(LabelerSettings settings, Selection selection, int scenes, GeometryOverrides geometry) {
        return miou(settings, selection, scenes, geometry, UnaryOperator.identity());
    }

    /**
     * As {@link #miou(LabelerSettings, Selection, int, GeometryOverrides)}, with each prepared image passed through
     * {@code prepared} before labelling (tests replace a preprocessing step's output with a wrong variant's).
     */
    static double miou(LabelerSettings settings, Selection selection, int scenes, GeometryOverrides geometry,
            UnaryOperator<Prepared> prepared) {
        List<String> classes = WORLD.classNames();
        try (ModelSet models = ModelSet.load(settings, settings.runtime(), geometry)) {
            PseudoLabeler labeler = new PseudoLabeler(models, settings, classes,
                    settings.supervision() == Supervision.NONE ? Fixtures.text(settings, classes) : null, selection);
            SceneGenerator gen = new SceneGenerator(WORLD, 11L);
            ConfusionMatrix m = new ConfusionMatrix(classes.size() + 1);
            List<Prepared> batch = new ArrayList<>();
            List<Scene> truth = new ArrayList<>();
            for (int i = 0; i < scenes; i++) {
                Scene scene = gen.scene(i);
                byte[] jpeg = VocSceneWriter.jpeg(scene.image(), VocSceneWriter.JPEG_QUALITY);
                batch.add(prepared.apply(labeler.prepare(new ImageInput(scene.id(), scene.id() + ".jpg", jpeg,
                        scene.objects().stream().map(SceneObject::name).distinct().toList(),
                        scene.objects().stream().map(o -> new GivenBox(o.name(), o.box())).toList()))));
                truth.add(scene);
            }
            List<LabelResult> results = labeler.label(batch);
            for (int i = 0; i < scenes; i++) {
                LabelResult r = results.get(i);
                assertEquals(LabelStatus.OK, r.status(), r.error());
                m.add(truth.get(i).truth().ids(), r.semantic().ids());
            }
            return m.meanIou();
        }
    }

    @Test
    void wholeOverPartReachesHighMiouWhereHighestPredictedIouDoesNot() {
        double whole = miou(Fixtures.settings(), Selection.WHOLE_OVER_PART, 8);
        double sam = miou(Fixtures.settings(), Selection.HIGHEST_PREDICTED_IOU, 8);
        System.out.printf("8 scenes: mIoU whole-over-part %.4f, highest predicted IoU %.4f%n", whole, sam);
        assertTrue(whole >= BAR, "whole-over-part mIoU " + whole); // measured 0.9833 (0.9877 on 20 scenes)
        // measured 0.4352 (0.4894 on 20): the fixture ranks a part highest, so choosing by predicted IoU loses half of
        // every object
        assertTrue(sam >= 0.42 && sam <= 0.45, "highest-predicted-IoU mIoU " + sam);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "clip combined export,     models.clip,           clip-combined",
        "DINO shortest/longest,    models.grounding-dino, grounding-dino-hf",
        "SAM official CHW encoder, models.sam,            sam-chw",
        "SAM HF boxes decoder,     models.sam,            sam-hf"})
    void everyExportFlavourLabelsAsWell(String flavour, String key, String dir) {
        double miou = miou(Fixtures.settings(Map.of(key, Fixtures.model(dir).toString())), Selection.WHOLE_OVER_PART,
                8);
        System.out.printf("%s: mIoU %.4f on 8 scenes%n", flavour, miou);
        assertTrue(miou >= BAR, flavour + " mIoU " + miou);
    }

    @ParameterizedTest(name = "supervision {0}")
    @CsvSource({"image-labels", "boxes"})
    void supervisedModesLabelAsWell(String mode) {
        double miou = miou(Fixtures.settings(Map.of("supervision", mode)), Selection.WHOLE_OVER_PART, 8);
        System.out.printf("supervision %s: mIoU %.4f on 8 scenes%n", mode, miou);
        assertTrue(miou >= BAR, mode + " mIoU " + miou);
    }
}
