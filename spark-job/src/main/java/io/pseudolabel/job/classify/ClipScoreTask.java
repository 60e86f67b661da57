package io.pseudolabel.job.classify;

import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.image.ImageLimits;

import java.io.Serializable;

/**
 * What an executor needs to score images with CLIP, broadcast once.
 *
 * @param clip settings naming only the CLIP directory (possibly remote; each executor localises it)
 * @param fingerprint {@link io.pseudolabel.labeler.ModelFingerprint#ofClip} of the CLIP directory
 * @param batchSize images per {@code embedImages} call ({@code pseudolabel.job.batch-size})
 * @param prepareThreads read/decode/preprocess threads per task ({@code pseudolabel.job.prepare-threads};
 *     {@link io.pseudolabel.job.executor.PreparePool#AUTO} for auto)
 * @param limits {@code pseudolabel.image.*}
 */
public record ClipScoreTask(LabelerSettings clip, String fingerprint, ImageClassifier classifier, int batchSize,
        int prepareThreads, ImageLimits limits) implements Serializable {}
