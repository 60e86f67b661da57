package io.pseudolabel.segmenter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Per-pixel softmax cross-entropy with ignore index 255: {@code -mean(log softmax(logits)[label])}
 * over the pixels whose label is not 255; 0 when every pixel is ignored.
 */
public final class SegmentationLoss {

    public static final int IGNORE = 255;

    private SegmentationLoss() {
    }

    /**
     * @param logits {@code [B,C,H,W]} float
     * @param labels {@code [B,H,W]} int64 class ids, 255 for ignored pixels
     * @return a scalar
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        long classes = logits.getShape().get(1);
        NDArray valid = labels.neq(IGNORE);
        NDArray validF = valid.toType(DataType.FLOAT32, false);
        // Ignored pixels read class 0; their term is multiplied by 0.
        NDArray safe = labels.mul(valid.toType(DataType.INT64, false));
        if (classes <= 0) {
            throw new IllegalArgumentException("no classes in logits " + logits.getShape());
        }
        NDArray logp = logits.logSoftmax(1);
        NDArray picked = logp.gather(safe.expandDims(1), 1).squeeze(1);
        NDArray sum = picked.mul(validF).sum().neg();
        NDArray count = validF.sum().maximum(1f);
        return sum.div(count);
    }
}
