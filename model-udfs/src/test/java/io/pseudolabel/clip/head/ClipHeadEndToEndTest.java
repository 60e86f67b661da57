package io.pseudolabel.clip.head;

import com.typesafe.config.ConfigFactory;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.clip.ZeroShotClassifier;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.eval.AveragePrecision;
import io.pseudolabel.eval.ConfusionMatrix;
import io.pseudolabel.labeler.Fixtures;
import io.pseudolabel.labeler.ImageInput;
import io.pseudolabel.labeler.LabelResult;
import io.pseudolabel.labeler.LabelStatus;
import io.pseudolabel.labeler.ModelFingerprint;
import io.pseudolabel.labeler.ModelSet;
import io.pseudolabel.labeler.Prepared;
import io.pseudolabel.labeler.PseudoLabeler;
import io.pseudolabel.labeler.SceneImages;
import io.pseudolabel.masks.Selection;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.SceneObject;
import io.pseudolabel.scenes.VocSceneWriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance test on generated scenes: the confused fixture CLIP (its text tower calls cats
 * "dog", dogs "cat" and boats "car"; its vision tower is the right one) labels zero-shot badly; a head
 * trained on its image embeddings of an auxiliary labelled set raises classification mAP and pseudo-label
 * mIoU clearly.
 */
class ClipHeadEndToEndTest {
    static final FixtureWorld WORLD = FixtureWorld.load();
    static final List<String> CLASSES = WORLD.classNames();
    static final int AUX = 24;
    static final int EVAL = 12;
    /**
     * The paper's optimiser and schedule, but a larger learning rate and fewer epochs than its 2e-5 x 50:
     * a fresh head on 24 tiny images x 4 views barely moves at 2e-5 in 50 epochs of 3 steps (at 1e-3 on
     * 40 images it reached mAP 0.90; at 1e-2, 1.0). A test-time choice, not a new default.
     */
    static final float LR = 1e-2f;
    static final int EPOCHS = 30;

    @Test
    void trainedHeadBeatsConfusedZeroShotOnMapAndMiou() {
        LabelerSettings settings = Fixtures.settings(Map.of("models.clip", Fixtures.model("clip-confused").toString()));
        ClipHeadSettings hs = ClipHeadSettings.from(ConfigFactory.defaultReference());
        ClipHeadSettings.Train t = hs.train().withLearningRate(LR).withEpochs(EPOCHS);
        System.out.printf("head training overrides (paper defaults lr %.0e, %d epochs): lr %.0e, %d epochs%n",
                hs.train().learningRate(), hs.train().epochs(), LR, EPOCHS);

        ClipHead head;
        ClipTextEmbeddings text;
        float[][] evalEmbeds;
        List<Scene> eval = new ArrayList<>();
        for (int i = 0; i < EVAL; i++) {
            eval.add(SceneImages.scene(i));
        }
        long start = System.nanoTime();
        try (ClipModel clip = ClipModel.load(settings.clipPath(), settings.runtime())) {
            text = clip.embedClasses(CLASSES, settings.clip().templates(), 64, "confused");
            SceneGenerator aux = new SceneGenerator(WORLD, 101L);
            ViewEmbedder embedder = new ViewEmbedder(clip, hs);
            List<float[]> xs = new ArrayList<>();
            List<float[]> ys = new ArrayList<>();
            for (int i = 0; i < AUX; i++) {
                Scene s = aux.scene(i);
                float[] target = new float[CLASSES.size()];
                s.objects().forEach(o -> target[o.classId() - 1] = 1);
                for (float[] e : embedder.embed(s.image(), s.id())) {
                    xs.add(e);
                    ys.add(target);
                }
            }
            long embedded = System.nanoTime();
            float[][] x = xs.toArray(new float[0][]);
            float[][] y = ys.toArray(new float[0][]);
            ClipHeadTrainer.Result r = ClipHeadTrainer.train(x, y, CLASSES, ModelFingerprint.ofClip(settings.clipPath()),
                    true, t, null);
            head = r.head();
            System.out.printf("embedding %.1f s, training %.1f s%n", (embedded - start) / 1e9,
                    (System.nanoTime() - embedded) / 1e9);
            System.out.printf("trained on %d views of %d images: loss %.4f -> %.4f, training accuracy %.3f%n", x.length,
                    AUX, r.epochs().get(0).loss(), r.epochs().get(EPOCHS - 1).loss(),
                    ClipHeadTrainer.accuracy(head, x, y));
            List<float[]> pixels = eval.stream().map(s -> clip.preprocess(SceneImages.decoded(s))).toList();
            evalEmbeds = clip.embedImages(pixels);
        }
        ImageClassifier zeroShot = new ZeroShotClassifier(text, settings.clip().logitScale());
        double mapZero = classificationMap(zeroShot, evalEmbeds, eval);
        double mapHead = classificationMap(head, evalEmbeds, eval);
        double miouZero;
        double miouHead;
        try (ModelSet models = ModelSet.load(settings, settings.runtime())) {
            miouZero = miou(models, settings, zeroShot, eval);
            miouHead = miou(models, settings, head, eval);
        }
        System.out.printf("%d eval scenes, confused CLIP: classification mAP zero-shot %.4f, head %.4f; "
                + "pseudo-label mIoU zero-shot %.4f, head %.4f%n", EVAL, mapZero, mapHead, miouZero, miouHead);
        assertTrue(mapHead >= mapZero + 0.15 && mapHead >= 0.95, "mAP head " + mapHead + " vs zero-shot " + mapZero);
        assertTrue(miouHead >= miouZero + 0.15 && miouHead >= 0.85, "mIoU head " + miouHead + " vs zero-shot "
                + miouZero);
    }

    static double classificationMap(ImageClassifier c, float[][] embeds, List<Scene> scenes) {
        float[][] scores = new float[scenes.size()][];
        boolean[][] truth = new boolean[scenes.size()][CLASSES.size()];
        for (int i = 0; i < scenes.size(); i++) {
            scores[i] = c.probabilities(embeds[i]);
            for (SceneObject o : scenes.get(i).objects()) {
                truth[i][o.classId() - 1] = true;
            }
        }
        AveragePrecision.Summary ap = AveragePrecision.summarize(CLASSES, scores, truth, AveragePrecision.Method.SKLEARN);
        System.out.println(c.getClass().getSimpleName() + " AP per class: " + ap.perClass());
        return ap.map();
    }

    static double miou(ModelSet models, LabelerSettings settings, ImageClassifier classifier, List<Scene> scenes) {
        {
            PseudoLabeler labeler = new PseudoLabeler(models, settings, CLASSES, classifier,
                    Selection.WHOLE_OVER_PART);
            List<Prepared> batch = new ArrayList<>();
            for (Scene s : scenes) {
                batch.add(labeler.prepare(new ImageInput(s.id(), s.id() + ".jpg",
                        VocSceneWriter.jpeg(s.image(), VocSceneWriter.JPEG_QUALITY), List.of(), List.of())));
            }
            ConfusionMatrix m = new ConfusionMatrix(CLASSES.size() + 1);
            List<LabelResult> results = labeler.label(batch);
            for (int i = 0; i < scenes.size(); i++) {
                assertEquals(LabelStatus.OK, results.get(i).status(), results.get(i).error());
                m.add(scenes.get(i).truth().ids(), results.get(i).semantic().ids());
            }
            return m.meanIou();
        }
    }
}
