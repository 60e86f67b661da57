package io.pseudolabel.dino;

import java.io.Serializable;

/** Grounding-DINO thresholds and prompting ({@code pseudolabel.grounding-dino.*}; reference.conf has the IDEA demo's). */
public record DinoSettings(String modelFile, float boxThreshold, float textThreshold, PromptMode promptMode,
        float nmsIou, int maxDetectionsPerClass) implements Serializable {
}
