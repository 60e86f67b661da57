package io.pseudolabel.job.eval;

import io.pseudolabel.eval.ConfusionMatrix;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** What evaluation sums over images: the confusion matrix, images counted, and per-image errors (capped). */
public final class EvalPartial implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int MAX_ERRORS = 100;

    final ConfusionMatrix matrix;
    long images;
    long errorCount;
    final List<String> errors = new ArrayList<>();

    EvalPartial(int classes) {
        this.matrix = new ConfusionMatrix(classes);
    }

    EvalPartial addImage(String id, byte[] gt, byte[] pred, int gtW, int gtH, int predW, int predH) {
        if (gtW != predW || gtH != predH) {
            return addError(id + ": prediction is " + predW + "x" + predH + ", ground truth " + gtW + "x" + gtH);
        }
        try {
            matrix.add(gt, pred);
            images++;
        } catch (IllegalArgumentException e) {
            addError(id + ": " + e.getMessage());
        }
        return this;
    }

    EvalPartial addError(String error) {
        errorCount++;
        if (errors.size() < MAX_ERRORS) {
            errors.add(error);
        }
        return this;
    }

    EvalPartial merge(EvalPartial other) {
        matrix.merge(other.matrix);
        images += other.images;
        errorCount += other.errorCount;
        for (String e : other.errors) {
            if (errors.size() < MAX_ERRORS) {
                errors.add(e);
            }
        }
        return this;
    }
}
