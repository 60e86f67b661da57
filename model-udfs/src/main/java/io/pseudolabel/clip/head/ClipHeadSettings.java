package io.pseudolabel.clip.head;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/** {@code pseudolabel.clip-head.*}, read once on the driver; every error names the full key. */
public record ClipHeadSettings(int views, Loss loss, boolean dropUnknownLabels, Augment augment, Train train,
        long maxDriverEmbeddingsMb) implements Serializable {

    private static final String P = "pseudolabel.clip-head.";

    /** Which loss, and so which output activation, the head gets. */
    public enum Loss {
        /** sigmoid/BCE when some training image has more than one label, else softmax/cross-entropy. */
        AUTO,
        SOFTMAX,
        SIGMOID
    }

    /** RandomResizedCrop, horizontal flip and ColorJitter parameters (torchvision's meaning). */
    public record Augment(double minScale, double maxScale, double minRatio, double maxRatio, double flipProbability,
            double brightness, double contrast, double saturation) implements Serializable {}

    /** AdamW with cosine decay to 0 over all steps (stepped per batch). */
    public record Train(int epochs, int batchSize, float learningRate, float weightDecay, float beta1, float beta2,
            float adamEps, float layerNormEps, long seed) implements Serializable {

        public Train withLearningRate(float lr) {
            return new Train(epochs, batchSize, lr, weightDecay, beta1, beta2, adamEps, layerNormEps, seed);
        }

        public Train withEpochs(int n) {
            return new Train(n, batchSize, learningRate, weightDecay, beta1, beta2, adamEps, layerNormEps, seed);
        }
    }

    public static ClipHeadSettings from(Config r) {
        try {
            Augment a = new Augment(r.getDouble(P + "augment.min-scale"), r.getDouble(P + "augment.max-scale"),
                    r.getDouble(P + "augment.min-ratio"), r.getDouble(P + "augment.max-ratio"),
                    r.getDouble(P + "augment.flip-probability"), r.getDouble(P + "augment.brightness"),
                    r.getDouble(P + "augment.contrast"), r.getDouble(P + "augment.saturation"));
            check(a.minScale > 0 && a.minScale <= a.maxScale && a.maxScale <= 1, "augment.min-scale/max-scale",
                    "need 0 < min-scale <= max-scale <= 1");
            check(a.minRatio > 0 && a.minRatio <= a.maxRatio, "augment.min-ratio/max-ratio",
                    "need 0 < min-ratio <= max-ratio");
            check(a.flipProbability >= 0 && a.flipProbability <= 1, "augment.flip-probability", "must be in [0, 1]");
            check(a.brightness >= 0 && a.contrast >= 0 && a.saturation >= 0, "augment.brightness/contrast/saturation",
                    "must be >= 0");
            Train t = new Train(r.getInt(P + "train.epochs"), r.getInt(P + "train.batch-size"),
                    (float) r.getDouble(P + "train.learning-rate"), (float) r.getDouble(P + "train.weight-decay"),
                    (float) r.getDouble(P + "train.beta1"), (float) r.getDouble(P + "train.beta2"),
                    (float) r.getDouble(P + "train.adam-eps"), (float) r.getDouble(P + "train.layer-norm-eps"),
                    r.getLong(P + "train.seed"));
            check(t.epochs >= 1, "train.epochs", "must be >= 1");
            check(t.batchSize >= 1, "train.batch-size", "must be >= 1");
            check(t.learningRate > 0, "train.learning-rate", "must be > 0");
            check(t.weightDecay >= 0, "train.weight-decay", "must be >= 0");
            check(t.beta1 >= 0 && t.beta1 < 1 && t.beta2 >= 0 && t.beta2 < 1, "train.beta1/beta2", "must be in [0, 1)");
            check(t.adamEps > 0 && t.layerNormEps > 0, "train.adam-eps/layer-norm-eps", "must be > 0");
            int views = r.getInt(P + "views");
            check(views >= 1, "views", "must be >= 1");
            Loss loss = switch (r.getString(P + "loss").trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> Loss.AUTO;
                case "softmax" -> Loss.SOFTMAX;
                case "sigmoid" -> Loss.SIGMOID;
                default -> throw new IllegalArgumentException(P + "loss must be auto, softmax or sigmoid; got '"
                        + r.getString(P + "loss") + "'");
            };
            boolean drop = switch (r.getString(P + "unknown-labels").trim().toLowerCase(Locale.ROOT)) {
                case "error" -> false;
                case "drop" -> true;
                default -> throw new IllegalArgumentException(P + "unknown-labels must be error or drop; got '"
                        + r.getString(P + "unknown-labels") + "'");
            };
            return new ClipHeadSettings(views, loss, drop, a, t, r.getLong(P + "max-driver-embeddings-mb"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
    }

    private static void check(boolean ok, String key, String why) {
        if (!ok) {
            throw new IllegalArgumentException(P + key + ": " + why);
        }
    }

    /** Whether to train (and run) with a sigmoid per class, given how many labels each training image has. */
    public boolean multiLabel(int[] labelsPerImage) {
        return switch (loss) {
            case SOFTMAX -> false;
            case SIGMOID -> true;
            case AUTO -> Arrays.stream(labelsPerImage).anyMatch(n -> n > 1);
        };
    }
}
