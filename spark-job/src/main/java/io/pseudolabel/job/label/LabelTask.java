package io.pseudolabel.job.label;

import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.config.LabelerSettings;

import java.io.Serializable;
import java.util.List;

/**
 * All an executor needs to label its partitions, broadcast once per run.
 *
 * @param text CLIP class embeddings computed on the driver; null when labels or boxes are given
 * @param prepareThreads decode/preprocess threads inside each task
 * @param batchSize images per CLIP call; also how far preparation runs ahead
 */
public record LabelTask(LabelerSettings settings, List<String> classNames, ClipTextEmbeddings text,
        String fingerprint, String runId, long createdAtMillis, int prepareThreads, int batchSize)
        implements Serializable {}
