package io.pseudolabel.job.classify;

import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.clip.ZeroShotClassifier;
import io.pseudolabel.clip.head.ClipHead;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.job.head.ClipHeads;
import io.pseudolabel.job.label.LabelJob;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The one place that decides how eval-classify turns a CLIP image embedding into a score per class:
 * zero-shot CLIP over the class prompts (the same text side the label job broadcasts) or a trained head
 * ({@code --clip-head}), so both are scored by the same job as in the paper's Table 5.
 */
public final class ClassifierSource {
    private ClassifierSource() {}

    /**
     * Built on the driver and broadcast.
     *
     * @param clip settings whose {@code clipPath()} is a local CLIP directory
     * @param clipFingerprint the fingerprint of that directory; the executors embed images with the same one
     * @param headUri a head written by finetune-clip, or blank for zero-shot
     */
    public static ImageClassifier build(LabelerSettings clip, List<String> classNames, String clipFingerprint,
            String headUri, Configuration hadoop) throws IOException {
        if (headUri != null && !headUri.isBlank()) {
            return ClipHeads.load(headUri, classNames, clip.clipPath(), clipFingerprint, hadoop);
        }
        ClipTextEmbeddings text = LabelJob.textEmbeddings(clip, classNames, clipFingerprint);
        return new ZeroShotClassifier(text, clip.clip().logitScale());
    }

    /** For the report: what scored the images. */
    public static String describe(ImageClassifier classifier) {
        if (classifier instanceof ZeroShotClassifier z) {
            return String.format(Locale.ROOT, "CLIP zero-shot (softmax over %d classes, logit scale %.0f, CLIP %s)",
                    z.classNames().size(), z.logitScale(), z.modelFingerprint());
        }
        if (classifier instanceof ClipHead h) {
            return String.format(Locale.ROOT, "trained CLIP head (%s over %d classes, CLIP %s)",
                    h.multiLabel() ? "sigmoid" : "softmax", h.classNames().size(), h.modelFingerprint());
        }
        return classifier.getClass().getSimpleName() + " (CLIP " + classifier.modelFingerprint() + ")";
    }
}
