package io.pseudolabel.sam;

import java.io.Serializable;

/**
 * @param encoderFile encoder file relative to the model directory, blank = find by role
 * @param decoderFile decoder file relative to the model directory, blank = find by role
 * @param maskThreshold logits above it are mask pixels (SAM's 0.0)
 */
public record SamSettings(String encoderFile, String decoderFile, float maskThreshold) implements Serializable {

    public static SamSettings defaults() {
        return new SamSettings("", "", 0f);
    }
}
