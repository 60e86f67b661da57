package io.pseudolabel.job.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * How well a label table's image {@code quality} predicts the image's mIoU against ground truth, summed over images
 * in bounded memory: a joint histogram of (quality, image mIoU) in {@value #BINS} x {@value #BINS} cells, and per
 * quality cell the count and the sum of image mIoU. From it: Spearman's rank correlation (midranks for values in
 * one cell, so it is Spearman's rho of the values rounded to 1/{@value #BINS}) and a reliability table by tenths
 * of the quality range (quality 0.0-0.1, ..., 0.9-1.0 → images, mean image mIoU). Its size does not depend on the
 * number of images; arrays are allocated at the first image that has a quality.
 */
public final class QualityAgreement implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int BINS = 100;
    static final int BANDS = 10;

    /** One row of the reliability table: images whose quality is in [from, to), and their mean image mIoU. */
    public record Band(double from, double to, long images, double meanIou) {}

    private long[] joint; // [qualityBin * BINS + iouBin]
    private double[] iouSum; // per quality bin
    private long images;

    /** Adds one image; a NaN on either side is left out (no quality, or no class to score). */
    public QualityAgreement add(double quality, double miou) {
        if (Double.isNaN(quality) || Double.isNaN(miou)) {
            return this;
        }
        if (joint == null) {
            joint = new long[BINS * BINS];
            iouSum = new double[BINS];
        }
        int q = bin(quality);
        joint[q * BINS + bin(miou)]++;
        iouSum[q] += miou;
        images++;
        return this;
    }

    public QualityAgreement merge(QualityAgreement o) {
        if (o.joint == null) {
            return this;
        }
        if (joint == null) {
            joint = new long[BINS * BINS];
            iouSum = new double[BINS];
        }
        for (int i = 0; i < joint.length; i++) {
            joint[i] += o.joint[i];
        }
        for (int i = 0; i < BINS; i++) {
            iouSum[i] += o.iouSum[i];
        }
        images += o.images;
        return this;
    }

    private static int bin(double v) {
        return (int) Math.max(0, Math.min(BINS - 1, Math.floor(Math.max(0, Math.min(1, v)) * BINS)));
    }

    /** Images with both a quality and an mIoU. */
    public long images() {
        return images;
    }

    /** Spearman's rho between image quality and image mIoU; NaN with fewer than 2 images or a constant side. */
    public double spearman() {
        if (images < 2) {
            return Double.NaN;
        }
        long[] qCount = new long[BINS];
        long[] iCount = new long[BINS];
        for (int q = 0; q < BINS; q++) {
            for (int i = 0; i < BINS; i++) {
                long c = joint[q * BINS + i];
                qCount[q] += c;
                iCount[i] += c;
            }
        }
        double[] qRank = midranks(qCount);
        double[] iRank = midranks(iCount);
        double mean = (images + 1) / 2.0;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int q = 0; q < BINS; q++) {
            double dq = qRank[q] - mean;
            sxx += qCount[q] * dq * dq;
            for (int i = 0; i < BINS; i++) {
                long c = joint[q * BINS + i];
                if (c > 0) {
                    sxy += c * dq * (iRank[i] - mean);
                }
            }
        }
        for (int i = 0; i < BINS; i++) {
            double di = iRank[i] - mean;
            syy += iCount[i] * di * di;
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    private static double[] midranks(long[] counts) {
        double[] r = new double[counts.length];
        long before = 0;
        for (int k = 0; k < counts.length; k++) {
            r[k] = before + (counts[k] + 1) / 2.0;
            before += counts[k];
        }
        return r;
    }

    /** The reliability table: one band per tenth of the quality range that holds images, lowest first. */
    public List<Band> reliability() {
        List<Band> out = new ArrayList<>();
        if (joint == null) {
            return out;
        }
        int per = BINS / BANDS;
        for (int b = 0; b < BANDS; b++) {
            long n = 0;
            double sum = 0;
            for (int q = b * per; q < (b + 1) * per; q++) {
                for (int i = 0; i < BINS; i++) {
                    n += joint[q * BINS + i];
                }
                sum += iouSum[q];
            }
            if (n > 0) {
                out.add(new Band(b / (double) BANDS, (b + 1) / (double) BANDS, n, sum / n));
            }
        }
        return out;
    }
}
