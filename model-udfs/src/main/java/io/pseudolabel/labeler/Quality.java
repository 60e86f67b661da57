package io.pseudolabel.labeler;

import io.pseudolabel.masks.GroupedMask;

import java.util.List;

/**
 * How far to trust a label without ground truth, from the models' own signals (README "Label quality").
 *
 * <p>An instance's quality is the geometric mean of the signals it has, each in [0,1]:
 * <ul>
 *   <li>the detector's box score (Grounding-DINO's sigmoid, 1 for a given box): is there an object here;</li>
 *   <li>SAM's predicted IoU of the kept mask: does SAM itself believe the mask;</li>
 *   <li>SAM's stability score of that mask (IoU at logit thresholds ±1): a mask whose edge moves with the
 *       threshold is a guess;</li>
 *   <li>the IoU of the mask's bounds with the box (the grouping's ratio): a mask that fills its box badly is a
 *       part, a leak or a merge;</li>
 *   <li>the image-level probability of the instance's class relative to the image's most probable named class
 *       ({@link #relativeProbability}; 1 for given labels): is the class right. Relative, because CLIP's softmax
 *       shares one unit of probability among the classes present: three objects of three classes each get about
 *       a third, which says nothing against any of them, while a class CLIP is less sure of than the image's
 *       clearest one gets less than its share;</li>
 *   <li>SAM 2.1's object score, as sigmoid(logit), where the export gives one: is the box on an object at all.</li>
 * </ul>
 * A geometric mean is low when any one signal is low (one bad signal is enough to distrust the mask) and stays in
 * [0,1] whatever number of signals an export gives.
 *
 * <p>An image's quality is the lowest of its instances' qualities and, for each class named for the image that
 * found no instance, one minus that class's relative probability (a class CLIP was sure of and nothing found is a
 * miss); 1 for an image with neither (nothing named, nothing claimed).
 */
public final class Quality {
    private Quality() {}

    /** The quality of an instance: the geometric mean of its signals, see the class comment. */
    public static float instance(float detScore, GroupedMask kept, float classProbability) {
        double logSum = log(detScore) + log(kept.predictedIou()) + log(kept.stability()) + log(kept.boxIou())
                + log(classProbability);
        int terms = 5;
        if (kept.objectScoreLogit() != null) {
            logSum += log((float) (1.0 / (1.0 + Math.exp(-kept.objectScoreLogit()))));
            terms++;
        }
        return clamp((float) Math.exp(logSum / terms));
    }

    /**
     * The quality of an image.
     *
     * @param instanceQualities its kept instances' qualities
     * @param missedClassProbabilities the probability of every class named for the image that has no instance
     */
    public static float image(List<Float> instanceQualities, List<Float> missedClassProbabilities) {
        float q = 1f;
        for (float v : instanceQualities) {
            q = Math.min(q, v);
        }
        for (float p : missedClassProbabilities) {
            q = Math.min(q, 1f - clamp(p));
        }
        return clamp(q);
    }

    /**
     * A class's image-level probability divided by the image's highest class probability, in [0,1]: 1 for the
     * clearest class and for every class CLIP is as sure of; 0 when {@code top} is not positive.
     */
    public static float relativeProbability(float probability, float top) {
        return top > 0f ? clamp(probability / top) : 0f;
    }

    private static double log(float v) {
        return Math.log(Math.max(1e-6, clamp(v)));
    }

    private static float clamp(float v) {
        return Float.isNaN(v) ? 0f : Math.max(0f, Math.min(1f, v));
    }
}
