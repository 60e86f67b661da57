package io.pseudolabel.eval;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Image-level classification average precision, as scikit-learn's {@code average_precision_score}:
 * {@code AP = sum_n (R_n - R_{n-1}) P_n} over the distinct score thresholds taken from high to low (tied
 * scores enter together), no interpolation. mAP averages over the classes with at least one positive.
 */
public final class AveragePrecision {
    private AveragePrecision() {}

    /** AP of one class; NaN when no image is positive. */
    public static double of(float[] scores, boolean[] positive) {
        if (scores.length != positive.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + positive.length + " labels");
        }
        long positives = 0;
        for (boolean p : positive) {
            positives += p ? 1 : 0;
        }
        if (positives == 0) {
            return Double.NaN;
        }
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]));
        double ap = 0;
        double prevRecall = 0;
        long tp = 0;
        long fp = 0;
        int i = 0;
        while (i < order.length) {
            float s = scores[order[i]];
            while (i < order.length && scores[order[i]] == s) {
                if (positive[order[i]]) {
                    tp++;
                } else {
                    fp++;
                }
                i++;
            }
            double recall = (double) tp / positives;
            ap += (recall - prevRecall) * ((double) tp / (tp + fp));
            prevRecall = recall;
        }
        return ap;
    }

    /** Per-class AP of {@code scores[image][class]} against {@code truth[image][class]}. */
    public static double[] perClass(float[][] scores, boolean[][] truth) {
        if (scores.length != truth.length || scores.length == 0) {
            throw new IllegalArgumentException(scores.length + " score rows but " + truth.length + " label rows");
        }
        int c = scores[0].length;
        double[] ap = new double[c];
        for (int k = 0; k < c; k++) {
            float[] s = new float[scores.length];
            boolean[] t = new boolean[scores.length];
            for (int i = 0; i < scores.length; i++) {
                if (scores[i].length != c || truth[i].length != c) {
                    throw new IllegalArgumentException("row " + i + " has " + scores[i].length + " scores and "
                            + truth[i].length + " labels, expected " + c);
                }
                s[i] = scores[i][k];
                t[i] = truth[i][k];
            }
            ap[k] = of(s, t);
        }
        return ap;
    }

    /** Mean of {@link #perClass} over the classes with a positive image; NaN when there is none. */
    public static double mean(float[][] scores, boolean[][] truth) {
        return Arrays.stream(perClass(scores, truth)).filter(d -> !Double.isNaN(d)).average().orElse(Double.NaN);
    }
}
