package io.pseudolabel.job.classify;

import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.clip.ZeroShotClassifier;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.job.label.LabelJob;

import java.util.List;
import java.util.Locale;

/**
 * The one place that decides how eval-classify turns a CLIP image embedding into a score per class. Today
 * zero-shot CLIP over the class prompts (the same text side the label job broadcasts); a trained head
 * ({@code --clip-head}) belongs here as a second branch, so both are scored by the same job.
 */
public final class ClassifierSource {
    private ClassifierSource() {}

    /**
     * Built on the driver and broadcast.
     *
     * @param clip settings whose {@code clipPath()} is a local CLIP directory
     * @param clipFingerprint the fingerprint of that directory; the executors embed images with the same one
     */
    public static ImageClassifier build(LabelerSettings clip, List<String> classNames, String clipFingerprint) {
        ClipTextEmbeddings text = LabelJob.textEmbeddings(clip, classNames, clipFingerprint);
        return new ZeroShotClassifier(text, clip.clip().logitScale());
    }

    /** For the report: what scored the images. */
    public static String describe(ImageClassifier classifier) {
        if (classifier instanceof ZeroShotClassifier z) {
            return String.format(Locale.ROOT, "CLIP zero-shot (softmax over %d classes, logit scale %.0f, CLIP %s)",
                    z.classNames().size(), z.logitScale(), z.modelFingerprint());
        }
        return classifier.getClass().getSimpleName() + " (CLIP " + classifier.modelFingerprint() + ")";
    }
}
