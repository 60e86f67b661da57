package io.pseudolabel.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A C×C confusion matrix of pixel counts, rows = ground truth, columns = prediction; pixels whose ground
 * truth or prediction is the ignore id (255) are dropped. Matrices of images add up.
 */
public final class ConfusionMatrix implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final int IGNORE = 255;

    private final int classes;
    private final long[] counts;

    public ConfusionMatrix(int classes) {
        if (classes < 1 || classes > 255) {
            throw new IllegalArgumentException("classes must be 1..255: " + classes);
        }
        this.classes = classes;
        this.counts = new long[classes * classes];
    }

    public int classes() {
        return classes;
    }

    /**
     * Adds one image. Ids are unsigned bytes; an id ≥ classes other than 255 is an error for the image.
     *
     * @throws IllegalArgumentException naming the first out-of-range id, with nothing added
     */
    public ConfusionMatrix add(byte[] gt, byte[] pred) {
        if (gt.length != pred.length) {
            throw new IllegalArgumentException("ground truth has " + gt.length + " pixels, prediction " + pred.length);
        }
        long[] local = new long[counts.length];
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i] & 0xff;
            int p = pred[i] & 0xff;
            if (g == IGNORE || p == IGNORE) {
                continue;
            }
            if (g >= classes || p >= classes) {
                throw new IllegalArgumentException("class id " + Math.max(g, p) + " at pixel " + i
                        + " is outside 0.." + (classes - 1) + (g >= classes ? " (ground truth)" : " (prediction)"));
            }
            local[g * classes + p]++;
        }
        for (int i = 0; i < local.length; i++) {
            counts[i] += local[i];
        }
        return this;
    }

    /** Adds {@code other} into this matrix and returns this (for treeAggregate). */
    public ConfusionMatrix merge(ConfusionMatrix other) {
        if (other.classes != classes) {
            throw new IllegalArgumentException("cannot merge " + other.classes + " classes into " + classes);
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        return this;
    }

    public long get(int gt, int pred) {
        return counts[gt * classes + pred];
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    public long truePositives(int c) {
        return get(c, c);
    }

    public long gtPixels(int c) {
        long s = 0;
        for (int p = 0; p < classes; p++) {
            s += get(c, p);
        }
        return s;
    }

    public long predPixels(int c) {
        long s = 0;
        for (int g = 0; g < classes; g++) {
            s += get(g, c);
        }
        return s;
    }

    /** TP/(TP+FP+FN), or NaN for a class absent from both ground truth and prediction. */
    public double iou(int c) {
        long tp = truePositives(c);
        long union = gtPixels(c) + predPixels(c) - tp;
        return union == 0 ? Double.NaN : (double) tp / union;
    }

    /** Classes that appear in the ground truth or the prediction (mmsegmentation's rule). */
    public List<Integer> presentClasses() {
        List<Integer> out = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            if (gtPixels(c) + predPixels(c) > 0) {
                out.add(c);
            }
        }
        return out;
    }

    /** Mean IoU over the present classes; NaN when no pixel was counted. */
    public double meanIou() {
        List<Integer> present = presentClasses();
        if (present.isEmpty()) {
            return Double.NaN;
        }
        double s = 0;
        for (int c : present) {
            s += iou(c);
        }
        return s / present.size();
    }

    public double pixelAccuracy() {
        long total = total();
        if (total == 0) {
            return Double.NaN;
        }
        long tp = 0;
        for (int c = 0; c < classes; c++) {
            tp += truePositives(c);
        }
        return (double) tp / total;
    }

    public double precision(int c) {
        long p = predPixels(c);
        return p == 0 ? Double.NaN : (double) truePositives(c) / p;
    }

    public double recall(int c) {
        long g = gtPixels(c);
        return g == 0 ? Double.NaN : (double) truePositives(c) / g;
    }
}
