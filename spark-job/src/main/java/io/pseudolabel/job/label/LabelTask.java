package io.pseudolabel.job.label;

import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.config.LabelerSettings;

import java.io.Serializable;
import java.util.List;

/**
 * All an executor needs to label its partitions, broadcast once per run.
 *
 * @param classifier names an image's classes from its CLIP embedding (zero-shot text embeddings computed on
 *     the driver, or a trained head); null when labels or boxes are given
 * @param modelsFingerprint the model files and settings: executors cache one model set per value
 * @param fingerprint what the rows record: {@code modelsFingerprint}, plus the head when there is one
 * @param prepareThreads decode/preprocess threads inside each task, or {@link PreparePool#AUTO}
 * @param batchSize images per CLIP call; also how far preparation runs ahead
 */
public record LabelTask(LabelerSettings settings, List<String> classNames, ImageClassifier classifier,
        String modelsFingerprint, String fingerprint, String runId, long createdAtMillis, int prepareThreads,
        int batchSize, ReadRetry readRetry)
        implements Serializable {}
