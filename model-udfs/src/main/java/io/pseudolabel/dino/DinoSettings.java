package io.pseudolabel.dino;

import java.io.Serializable;

/** Grounding-DINO thresholds and prompting; defaults are the IDEA demo's (box 0.35, text 0.25). */
public record DinoSettings(String modelFile, float boxThreshold, float textThreshold, PromptMode promptMode,
        float nmsIou, int maxDetectionsPerClass) implements Serializable {

    public static DinoSettings defaults() {
        return new DinoSettings("model.onnx", 0.35f, 0.25f, PromptMode.PER_CLASS, 0.5f, 10);
    }
}
