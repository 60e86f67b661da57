package io.pseudolabel.job.eval;

import io.pseudolabel.eval.ConfusionMatrix;
import io.pseudolabel.masks.ClassMap;

import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * What evaluation sums over images: the confusion matrix, images counted, per-image errors and images
 * missing a side (counts plus the first ids), and the {@code k} worst images by per-image mIoU with their
 * label maps. Every part is bounded, so a partial's size does not depend on the number of images.
 */
public final class EvalPartial implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int MAX_LISTED = 100;

    /** Worst first: lower image mIoU, then image id. */
    static final Comparator<Sample> WORST_FIRST = Comparator.comparingDouble(Sample::miou).thenComparing(Sample::id);

    final ConfusionMatrix matrix;
    final int keepWorst;
    long images;
    long errorCount;
    final List<String> errors = new ArrayList<>();
    long missingPrediction;
    final List<String> missingPredictionIds = new ArrayList<>();
    long missingGroundTruth;
    final List<String> missingGroundTruthIds = new ArrayList<>();
    final List<Sample> worst = new ArrayList<>();
    final QualityAgreement quality = new QualityAgreement();

    /**
     * One scored image kept for the report: its label maps, deflated (label maps shrink well, and deflating
     * is much cheaper than PNG encoding for the images that pass through the list), and its original
     * image's URI when known.
     */
    public record Sample(String id, double miou, double pixelAccuracy, int width, int height, byte[] gtDeflated,
            byte[] predDeflated, String imageUri) implements Serializable {
        private static final long serialVersionUID = 1L;

        public ClassMap gt() {
            return new ClassMap(width, height, inflate(gtDeflated, width * height));
        }

        public ClassMap pred() {
            return new ClassMap(width, height, inflate(predDeflated, width * height));
        }
    }

    static byte[] deflate(byte[] ids) {
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try {
            d.setInput(ids);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length / 8 + 64);
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    static byte[] inflate(byte[] data, int length) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(data);
            byte[] out = new byte[length];
            int n = 0;
            while (n < length && !inf.finished()) {
                int k = inf.inflate(out, n, length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += k;
            }
            if (n != length) {
                throw new IllegalStateException("kept label map inflates to " + n + " bytes, " + length + " expected");
            }
            return out;
        } catch (DataFormatException e) {
            throw new IllegalStateException("kept label map is corrupt", e);
        } finally {
            inf.end();
        }
    }

    EvalPartial(int classes) {
        this(classes, 0);
    }

    EvalPartial(int classes, int keepWorst) {
        this.matrix = new ConfusionMatrix(classes);
        this.keepWorst = keepWorst;
    }

    EvalPartial addImage(String id, byte[] gt, byte[] pred, int gtW, int gtH, int predW, int predH) {
        return addImage(id, new ClassMap(gtW, gtH, gt), new ClassMap(predW, predH, pred), null);
    }

    EvalPartial addImage(String id, ClassMap gt, ClassMap pred, String imageUri) {
        return addImage(id, gt, pred, imageUri, Double.NaN);
    }

    /**
     * Scores one image; a size mismatch or an out-of-range id makes it an error and adds nothing. A label quality
     * (not NaN) joins the image's mIoU in {@link #quality}.
     */
    EvalPartial addImage(String id, ClassMap gt, ClassMap pred, String imageUri, double labelQuality) {
        if (gt.width() != pred.width() || gt.height() != pred.height()) {
            return addError(id + ": prediction is " + pred.width() + "x" + pred.height() + ", ground truth "
                    + gt.width() + "x" + gt.height());
        }
        ConfusionMatrix one = new ConfusionMatrix(matrix.classes());
        try {
            one.add(gt.ids(), pred.ids());
        } catch (IllegalArgumentException e) {
            return addError(id + ": " + e.getMessage());
        }
        matrix.merge(one);
        images++;
        double miou = one.meanIou();
        quality.add(labelQuality, miou);
        if (keepWorst > 0 && !Double.isNaN(miou) && wouldKeep(id, miou)) {
            keep(new Sample(id, miou, one.pixelAccuracy(), gt.width(), gt.height(), deflate(gt.ids()),
                    deflate(pred.ids()), imageUri));
        }
        return this;
    }

    private boolean wouldKeep(String id, double miou) {
        if (worst.size() < keepWorst) {
            return true;
        }
        Sample last = worst.get(worst.size() - 1);
        return miou < last.miou() || (miou == last.miou() && id.compareTo(last.id()) < 0);
    }

    private void keep(Sample s) {
        int at = 0;
        while (at < worst.size() && WORST_FIRST.compare(worst.get(at), s) <= 0) {
            at++;
        }
        worst.add(at, s);
        while (worst.size() > keepWorst) {
            worst.remove(worst.size() - 1);
        }
    }

    EvalPartial addError(String error) {
        errorCount++;
        if (errors.size() < MAX_LISTED) {
            errors.add(error);
        }
        return this;
    }

    /** Ground truth without a prediction (not in the prediction, or its row has no label map). */
    EvalPartial addMissingPrediction(String id) {
        missingPrediction++;
        if (missingPredictionIds.size() < MAX_LISTED) {
            missingPredictionIds.add(id);
        }
        return this;
    }

    /** A prediction without ground truth. */
    EvalPartial addMissingGroundTruth(String id) {
        missingGroundTruth++;
        if (missingGroundTruthIds.size() < MAX_LISTED) {
            missingGroundTruthIds.add(id);
        }
        return this;
    }

    EvalPartial merge(EvalPartial other) {
        matrix.merge(other.matrix);
        images += other.images;
        errorCount += other.errorCount;
        addCapped(errors, other.errors);
        missingPrediction += other.missingPrediction;
        addCapped(missingPredictionIds, other.missingPredictionIds);
        missingGroundTruth += other.missingGroundTruth;
        addCapped(missingGroundTruthIds, other.missingGroundTruthIds);
        quality.merge(other.quality);
        for (Sample s : other.worst) {
            if (wouldKeep(s.id(), s.miou())) {
                keep(s);
            }
        }
        return this;
    }

    private static void addCapped(List<String> into, List<String> from) {
        for (String s : from) {
            if (into.size() >= MAX_LISTED) {
                return;
            }
            into.add(s);
        }
    }
}
