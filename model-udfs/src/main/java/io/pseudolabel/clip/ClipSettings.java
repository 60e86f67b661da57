package io.pseudolabel.clip;

import java.io.Serializable;
import java.util.List;

/**
 * CLIP zero-shot labelling: the logit scale, the top-n rule and the prompt templates averaged per class.
 *
 * @param minProb          the top-n rule's threshold on softmax probabilities (zero-shot, softmax head)
 * @param multiLabelMinProb the threshold on a multi-label head's independent sigmoid probabilities
 */
public record ClipSettings(float logitScale, int topN, float minProb, float multiLabelMinProb, int textBatchSize,
        List<String> templates) implements Serializable {

    public ClipSettings {
        if (!(multiLabelMinProb >= 0 && multiLabelMinProb <= 1)) {
            throw new IllegalArgumentException("pseudolabel.clip-head.min-prob must be in [0, 1]: "
                    + multiLabelMinProb);
        }
        templates = List.copyOf(templates);
        if (templates.isEmpty() || templates.stream().anyMatch(t -> !t.contains("{}"))) {
            throw new IllegalArgumentException("clip.templates must be non-empty and each contain {}: " + templates);
        }
    }
}
