package io.pseudolabel.sam;

import java.io.Serializable;

/**
 * @param encoderFile encoder file relative to the model directory, blank = find by role
 * @param decoderFile decoder file relative to the model directory, blank = find by role
 * @param maskThreshold logits above it are mask pixels (SAM's 0.0)
 * @param imageBatchSize images per encoder call where the export has a batch axis (onnx-community SAM 2.1, HF
 *     SAM 1); exports with a static batch of 1 (samexporter, official) run one image per call whatever it says
 */
public record SamSettings(String encoderFile, String decoderFile, float maskThreshold, int imageBatchSize)
        implements Serializable {

    public SamSettings {
        if (imageBatchSize < 1) {
            throw new IllegalArgumentException("pseudolabel.sam.image-batch-size must be >= 1: " + imageBatchSize);
        }
    }
}
