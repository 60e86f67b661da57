package io.pseudolabel.job.label;

import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.concurrent.TimeUnit;

/** {@code pseudolabel.job.*}: how the label stage is laid out over Spark. */
public record JobSettings(String layout, String split, String annotations, String classes, int partitions, int prepareThreads,
        int batchSize, long progressMillis) implements Serializable {

    public static JobSettings from(Config root) {
        Config j = root.getConfig("pseudolabel.job");
        JobSettings s = new JobSettings(j.getString("layout"), j.getString("split"), j.getString("annotations"),
                j.getString("classes"),
                j.getInt("partitions"), j.getInt("prepare-threads"), j.getInt("batch-size"),
                j.getDuration("progress-interval", TimeUnit.MILLISECONDS));
        if (s.prepareThreads < 1 || s.batchSize < 1 || s.partitions < 0) {
            throw new IllegalArgumentException("pseudolabel.job: prepare-threads and batch-size must be >= 1, "
                    + "partitions >= 0: " + s);
        }
        return s;
    }
}
