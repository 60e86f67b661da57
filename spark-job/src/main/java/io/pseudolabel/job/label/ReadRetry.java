package io.pseudolabel.job.label;

import com.typesafe.config.Config;
import io.pseudolabel.job.common.JobSettings;

import java.io.Serializable;

/**
 * {@code pseudolabel.job.read-retries} and {@code read-retry-backoff}: how often a label task reads an image
 * again after the file system failed to deliver it (an {@link java.io.IOException} while reading, not a decode
 * error), waiting {@code backoff}, then twice that, and so on, before the image becomes a {@code READ_ERROR}
 * row.
 */
public record ReadRetry(int retries, long backoffMillis) implements Serializable {

    /** {@code pseudolabel.job.read-retries} and {@code read-retry-backoff}, as {@link JobSettings} read them. */
    public static ReadRetry from(Config root) {
        JobSettings j = JobSettings.from(root);
        return new ReadRetry(j.readRetries(), j.readRetryBackoffMillis());
    }

    /** The wait before retry {@code n} (1-based): backoff x 2^(n-1), at most a minute. */
    long waitMillis(int n) {
        return Math.min(60_000L, backoffMillis << Math.min(n - 1, 20));
    }
}
