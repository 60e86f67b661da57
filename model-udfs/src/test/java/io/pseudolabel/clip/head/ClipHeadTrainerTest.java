package io.pseudolabel.clip.head;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DJL (PyTorch engine) head trainer against hand-computed AdamW steps and on separable data. */
class ClipHeadTrainerTest {
    static final List<String> CLASSES = List.of("a", "b");

    static ClipHeadSettings.Train train(int epochs, int batch, float lr, float wd) {
        return new ClipHeadSettings.Train(epochs, batch, lr, wd, 0.9f, 0.999f, 1e-8f, 1e-5f, 7);
    }

    @Test
    void softmaxTargetsOfAMultiLabelImageShareOneUnitOfWeight() {
        float[][] y = {{1, 1, 0}, {0, 0, 1}};
        Assertions.assertArrayEquals(new float[] {0.5f, 0.5f, 0, 0, 0, 1},
                ClipHeadTrainer.lossTargets(y, 3, false));
        Assertions.assertArrayEquals(new float[] {1, 1, 0, 0, 0, 1},
                ClipHeadTrainer.lossTargets(y, 3, true));
        // The CE loss of a two-label image is that of its normalised row, not twice it.
        float[][] x = {{1, 0, 0, 1}};
        ClipHeadSettings.Train t = train(1, 1, 0.01f, 0f);
        double multiHot = ClipHeadTrainer.train(x, new float[][] {{1, 1}}, CLASSES, "fp", false, t, null).epochs()
                .get(0).loss();
        double half = ClipHeadTrainer.train(x, new float[][] {{0.5f, 0.5f}}, CLASSES, "fp", false, t, null).epochs()
                .get(0).loss();
        assertEquals(half, multiHot, 1e-6);
        Assertions.assertThrows(IllegalArgumentException.class,
                () -> ClipHeadTrainer.lossTargets(new float[][] {{0, 0}}, 2, false));
    }

    @Test
    void cosineDecaysFromTheLearningRateToZero() {
        assertEquals(0.1, ClipHeadTrainer.cosine(0.1, 0, 10), 1e-12);
        assertEquals(0.05, ClipHeadTrainer.cosine(0.1, 5, 10), 1e-12);
        assertEquals(0.0, ClipHeadTrainer.cosine(0.1, 10, 10), 1e-12);
    }

    @Test
    void firstAdamWStepMovesEachBiasByTheLearningRateAgainstItsGradient() {
        float[][] x = {{1, 0, 0, 1}, {0, 1, 0, 1}, {0, 2, 0, 1}};
        for (boolean multi : new boolean[] {false, true}) {
            float[][] y = multi ? new float[][] {{1, 1}, {0, 1}, {0, 1}} : new float[][] {{1, 0}, {0, 1}, {0, 1}};
            ClipHeadSettings.Train t = train(1, 3, 0.01f, 0.1f);
            ClipHead init = ClipHeadTrainer.initial(CLASSES, "fp", multi, 4, t);
            double[] grad = new double[2];
            for (int i = 0; i < x.length; i++) {
                float[] p = init.probabilities(x[i]);
                for (int k = 0; k < 2; k++) {
                    // d(mean CE)/db = mean (p - y); d(mean BCE over N x C)/db = sum (sigmoid - y) / (N C)
                    grad[k] += (p[k] - y[i][k]) / (multi ? x.length * 2.0 : x.length);
                }
            }
            ClipHead trained = ClipHeadTrainer.train(x, y, CLASSES, "fp", multi, t, null).head();
            for (int k = 0; k < 2; k++) {
                double expected = init.bias()[k] * (1 - 0.01 * 0.1) - 0.01 * Math.signum(grad[k]);
                assertEquals(expected, trained.bias()[k], 1e-6, "multi=" + multi + " bias " + k);
            }
            assertEquals("fp", trained.clipFingerprint());
            assertEquals(multi, trained.multiLabel());
        }
    }

    @Test
    void learnsSeparableSingleAndMultiLabelDataAndTheLossFalls() {
        Random rnd = new Random(1);
        int dim = 16;
        List<float[]> xs = new ArrayList<>();
        List<float[]> single = new ArrayList<>();
        List<float[]> multi = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            boolean a = rnd.nextBoolean();
            boolean b = !a || rnd.nextBoolean();
            float[] v = new float[dim];
            v[0] = a ? 1 : 0;
            v[1] = b ? 1 : 0;
            v[dim - 1] = 1;
            for (int d = 2; d < dim - 1; d++) {
                v[d] = (float) (0.05 * rnd.nextGaussian());
            }
            xs.add(v);
            multi.add(new float[] {a ? 1 : 0, b ? 1 : 0});
            single.add(new float[] {a ? 1 : 0, a ? 0 : 1});
        }
        float[][] x = xs.toArray(new float[0][]);
        ClipHeadSettings.Train t = train(40, 8, 0.01f, 0.01f);
        for (boolean isMulti : new boolean[] {false, true}) {
            float[][] y = (isMulti ? multi : single).toArray(new float[0][]);
            List<Double> losses = new ArrayList<>();
            ClipHeadTrainer.Result r = ClipHeadTrainer.train(x, y, CLASSES, "fp", isMulti, t,
                    e -> losses.add(e.loss()));
            assertEquals(40, r.epochs().size());
            assertEquals(40 * 8, r.steps());
            assertEquals(losses.get(0), r.epochs().get(0).loss());
            assertTrue(losses.get(39) < losses.get(0) / 4, "loss " + losses.get(0) + " -> " + losses.get(39));
            assertEquals(1.0, ClipHeadTrainer.accuracy(r.head(), x, y), "multi=" + isMulti);
        }
    }
}
