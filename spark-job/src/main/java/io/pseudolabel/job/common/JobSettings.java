package io.pseudolabel.job.common;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.pseudolabel.job.data.Layout;
import io.pseudolabel.job.executor.PreparePool;

import java.io.Serializable;
import java.util.concurrent.TimeUnit;

/**
 * {@code pseudolabel.job.*}, the one reader of those keys: the dataset, how the label stage is laid out over
 * Spark, its retries and gates, the CLIP head, and how long a failed command waits for its tasks.
 *
 * @param prepareThreads preparation threads per task, or {@link PreparePool#AUTO}
 * @param batchSize images per model call (label: CLIP, Grounding-DINO and SAM's prompts; eval-classify: CLIP)
 * @param maxFailedFraction the failure gate: a run with a larger share of rows not OK is kept but not published
 * @param maxQualityDrop the quality gate: a run whose mean quality fell more than this is kept but not published
 * @param clipHead a CLIP head written by finetune-clip; blank = zero-shot prompts
 */
public record JobSettings(Layout layout, String split, String annotations, String classes, int partitions,
        int prepareThreads, int batchSize, long progressMillis, int readRetries, long readRetryBackoffMillis,
        double maxFailedFraction, double maxQualityDrop, String clipHead, long stopTimeoutMillis)
        implements Serializable {

    public JobSettings {
        if (batchSize < 1 || partitions < 0) {
            throw new IllegalArgumentException("pseudolabel.job: batch-size must be >= 1 and partitions >= 0: "
                    + "batch-size " + batchSize + ", partitions " + partitions);
        }
        if (readRetries < 0 || readRetryBackoffMillis < 0) {
            throw new IllegalArgumentException("pseudolabel.job.read-retries and read-retry-backoff must be >= 0: "
                    + readRetries + ", " + readRetryBackoffMillis + " ms");
        }
        if (!(maxFailedFraction >= 0 && maxFailedFraction <= 1)) {
            throw new IllegalArgumentException("pseudolabel.job.max-failed-fraction must be in [0, 1], got "
                    + maxFailedFraction);
        }
        if (!(maxQualityDrop >= 0 && maxQualityDrop <= 1)) {
            throw new IllegalArgumentException("pseudolabel.job.max-quality-drop must be in [0, 1], got "
                    + maxQualityDrop);
        }
    }

    public static JobSettings from(Config root) {
        try {
            Config j = root.getConfig("pseudolabel.job");
            return new JobSettings(Layout.parse(j.getString("layout")), j.getString("split"), j.getString("annotations"),
                    j.getString("classes"), j.getInt("partitions"), prepareThreads(j), j.getInt("batch-size"),
                    j.getDuration("progress-interval", TimeUnit.MILLISECONDS), j.getInt("read-retries"),
                    j.getDuration("read-retry-backoff", TimeUnit.MILLISECONDS), j.getDouble("max-failed-fraction"),
                    j.getDouble("max-quality-drop"), j.getString("clip-head").strip(),
                    j.getDuration("stop-timeout", TimeUnit.MILLISECONDS));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
    }

    private static int prepareThreads(Config j) {
        String v = j.getString("prepare-threads").strip();
        if (v.equals("auto")) {
            return PreparePool.AUTO;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the key
        }
        throw new IllegalArgumentException("pseudolabel.job.prepare-threads must be auto or a number >= 0, got '"
                + v + "'");
    }
}
