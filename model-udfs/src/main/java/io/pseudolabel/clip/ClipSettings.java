package io.pseudolabel.clip;

import java.io.Serializable;
import java.util.List;

/** CLIP zero-shot labelling: the logit scale, the top-n rule and the prompt templates averaged per class. */
public record ClipSettings(float logitScale, int topN, float minProb, int textBatchSize, int imageBatchSize,
        List<String> templates) implements Serializable {

    public ClipSettings {
        templates = List.copyOf(templates);
        if (templates.isEmpty() || templates.stream().anyMatch(t -> !t.contains("{}"))) {
            throw new IllegalArgumentException("clip.templates must be non-empty and each contain {}: " + templates);
        }
    }
}
