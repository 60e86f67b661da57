package io.pseudolabel.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Average precision of a ranking, on plain arrays. The main definition is scikit-learn's
 * {@code average_precision_score}: AP = Σ_n (R_n − R_{n−1}) P_n over the distinct score thresholds taken
 * from the highest down (R_0 = 0), without interpolation. Items with equal scores form one threshold, so a
 * tie is counted all at once, never in some arbitrary order. VOC 2007's 11-point AP is offered on the same
 * precision/recall points: the mean over recall levels t = 0, 0.1, …, 1 of the best precision at recall ≥ t.
 */
public final class AveragePrecision {
    private AveragePrecision() {}

    /** Which AP. */
    public enum Method {
        /** scikit-learn's non-interpolated AP (the paper's Table 5 and most multi-label work). */
        SKLEARN,
        /** PASCAL VOC 2007's 11-point interpolated AP. */
        VOC07_11_POINT
    }

    /**
     * One class's AP under {@link Method#SKLEARN}.
     *
     * @return NaN when no item is positive (AP is undefined; aggregations leave the class out)
     */
    public static double of(float[] scores, boolean[] positives) {
        return of(scores, positives, Method.SKLEARN);
    }

    public static double of(float[] scores, boolean[] positives, Method method) {
        Curve c = curve(scores, positives);
        if (c == null) {
            return Double.NaN;
        }
        return method == Method.SKLEARN ? stepSum(c) : elevenPoint(c);
    }

    /** Precision and recall at each distinct threshold, highest threshold first. */
    private record Curve(double[] precision, double[] recall) {}

    private static Curve curve(float[] scores, boolean[] positives) {
        if (scores.length != positives.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + positives.length + " labels");
        }
        int total = 0;
        for (int i = 0; i < scores.length; i++) {
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            if (positives[i]) {
                total++;
            }
        }
        if (total == 0) {
            return null;
        }
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        List<double[]> points = new ArrayList<>();
        int tp = 0;
        for (int k = 0; k < order.length; k++) {
            if (positives[order[k]]) {
                tp++;
            }
            // A point only where the next score is lower: tied items enter the curve together.
            if (k + 1 == order.length || scores[order[k + 1]] != scores[order[k]]) {
                points.add(new double[] {(double) tp / (k + 1), (double) tp / total});
            }
        }
        double[] precision = new double[points.size()];
        double[] recall = new double[points.size()];
        for (int i = 0; i < precision.length; i++) {
            precision[i] = points.get(i)[0];
            recall[i] = points.get(i)[1];
        }
        return new Curve(precision, recall);
    }

    private static double stepSum(Curve c) {
        double ap = 0;
        double previousRecall = 0;
        for (int i = 0; i < c.recall.length; i++) {
            ap += (c.recall[i] - previousRecall) * c.precision[i];
            previousRecall = c.recall[i];
        }
        return ap;
    }

    private static double elevenPoint(Curve c) {
        double sum = 0;
        for (int t = 0; t <= 10; t++) {
            double best = 0;
            for (int i = 0; i < c.recall.length; i++) {
                // t/10.0 is what VOC's devkit compares against (0:0.1:1 in MATLAB); 1e-12 absorbs 0.7 ≠ 7/10.
                if (c.recall[i] >= t / 10.0 - 1e-12) {
                    best = Math.max(best, c.precision[i]);
                }
            }
            sum += best;
        }
        return sum / 11;
    }

    /** One class of a {@link Summary}: how many images hold it and its AP (NaN without positives). */
    public record ClassAp(String name, int positives, double ap) {}

    /**
     * Per-class AP over a set of images and their mean.
     *
     * @param perClass every class in id order, those without a positive with AP NaN
     * @param excluded the classes without a positive image, left out of the mean
     * @param map mean AP over the other classes (NaN when none has a positive)
     */
    public record Summary(Method method, int images, List<ClassAp> perClass, List<String> excluded, double map) {
        public Summary {
            perClass = List.copyOf(perClass);
            excluded = List.copyOf(excluded);
        }
    }

    /**
     * Scores per class over images.
     *
     * @param scores {@code [image][class]}, one score per class of {@code classNames}
     * @param positives {@code [image][class]}, whether the class is in the image's ground truth
     */
    public static Summary summarize(List<String> classNames, float[][] scores, boolean[][] positives, Method method) {
        if (scores.length != positives.length) {
            throw new IllegalArgumentException(scores.length + " score rows but " + positives.length + " label rows");
        }
        int n = scores.length;
        int classes = classNames.size();
        for (int i = 0; i < n; i++) {
            if (scores[i].length != classes || positives[i].length != classes) {
                throw new IllegalArgumentException("image " + i + " has " + scores[i].length + " scores and "
                        + positives[i].length + " labels for " + classes + " classes");
            }
        }
        List<ClassAp> perClass = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        double sum = 0;
        int counted = 0;
        float[] column = new float[n];
        boolean[] truth = new boolean[n];
        for (int c = 0; c < classes; c++) {
            int pos = 0;
            for (int i = 0; i < n; i++) {
                column[i] = scores[i][c];
                truth[i] = positives[i][c];
                pos += truth[i] ? 1 : 0;
            }
            double ap = of(column, truth, method);
            perClass.add(new ClassAp(classNames.get(c), pos, ap));
            if (Double.isNaN(ap)) {
                excluded.add(classNames.get(c));
            } else {
                sum += ap;
                counted++;
            }
        }
        return new Summary(method, n, perClass, excluded, counted == 0 ? Double.NaN : sum / counted);
    }
}
