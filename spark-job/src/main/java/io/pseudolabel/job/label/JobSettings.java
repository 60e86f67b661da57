package io.pseudolabel.job.label;

import io.pseudolabel.job.executor.PreparePool;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.concurrent.TimeUnit;

/**
 * {@code pseudolabel.job.*}: how the label stage is laid out over Spark.
 *
 * @param prepareThreads preparation threads per task, or {@link PreparePool#AUTO}
 */
public record JobSettings(String layout, String split, String annotations, String classes, int partitions, int prepareThreads,
        int batchSize, long progressMillis) implements Serializable {

    public static JobSettings from(Config root) {
        Config j = root.getConfig("pseudolabel.job");
        JobSettings s = new JobSettings(j.getString("layout"), j.getString("split"), j.getString("annotations"),
                j.getString("classes"),
                j.getInt("partitions"), prepareThreads(j), j.getInt("batch-size"),
                j.getDuration("progress-interval", TimeUnit.MILLISECONDS));
        if (s.batchSize < 1 || s.partitions < 0) {
            throw new IllegalArgumentException("pseudolabel.job: batch-size must be >= 1 and partitions >= 0: " + s);
        }
        return s;
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
