package io.pseudolabel.job.run;

import io.pseudolabel.job.common.LabelTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * What a label run holds and how it differs from the run it followed, for its manifest and the nightly summary:
 * instances per class, the mean image quality, and against the previous run the images relabelled (in both runs,
 * labelled again by this one), added (new) and removed (gone). Every number is a Spark aggregation over the two
 * tables (a group-by over class names, an average, one outer join summed); no row reaches the driver.
 *
 * @param instancesByClass kept instances per class name, over the OK rows
 * @param meanQuality mean image {@code quality} over the rows that have one; null when none has
 * @param previousMeanQuality the previous run's, null without a previous run or when it has no quality column
 * @param relabelled images in both runs that this run labelled (not carried over); 0 without a previous run
 * @param added images in this run and not in the previous one (all of them without a previous run)
 * @param removed images in the previous run and not in this one
 * @param maxQualityDrop the quality gate it was held to ({@code pseudolabel.job.max-quality-drop})
 */
public record RunStats(Map<String, Long> instancesByClass, Double meanQuality, Double previousMeanQuality,
        long relabelled, long added, long removed, double maxQualityDrop) {

    public static RunStats of(SparkSession spark, String labelsDir, String previousLabelsDir, String runId,
            double maxQualityDrop) {
        Dataset<Row> cur = spark.read().parquet(labelsDir);
        Map<String, Long> byClass = new TreeMap<>();
        for (Row r : cur.filter(LabelTable.ok()).select(explode(col(LabelTable.INSTANCES + ".name")).as("name"))
                .groupBy("name").count().collectAsList()) {
            byClass.put(r.getString(0), r.getLong(1));
        }
        Double mean = meanQuality(cur);
        if (previousLabelsDir == null) {
            return new RunStats(byClass, mean, null, 0, cur.count(), 0, maxQualityDrop);
        }
        Dataset<Row> prev = spark.read().parquet(previousLabelsDir);
        Row d = cur.select(col(LabelTable.URI).as("cur_uri"), col(LabelTable.RUN_ID).as("cur_run"))
                .join(prev.select(col(LabelTable.URI).as("prev_uri")), col("cur_uri").equalTo(col("prev_uri")), "full_outer")
                .agg(sum(when(col("cur_uri").isNotNull().and(col("prev_uri").isNotNull())
                                .and(col("cur_run").equalTo(lit(runId))), 1).otherwise(0)),
                        sum(when(col("prev_uri").isNull(), 1).otherwise(0)),
                        sum(when(col("cur_uri").isNull(), 1).otherwise(0)))
                .first();
        return new RunStats(byClass, mean, meanQuality(prev), d.isNullAt(0) ? 0 : d.getLong(0),
                d.isNullAt(1) ? 0 : d.getLong(1), d.isNullAt(2) ? 0 : d.getLong(2), maxQualityDrop);
    }

    private static Double meanQuality(Dataset<Row> table) {
        if (!Arrays.asList(table.columns()).contains("quality")) {
            return null;
        }
        Row r = table.agg(avg(col(LabelTable.QUALITY))).first();
        return r.isNullAt(0) ? null : r.getDouble(0);
    }

    /** The drop of the mean quality since the previous run (positive = worse); null when either is unknown. */
    public Double qualityDrop() {
        return meanQuality == null || previousMeanQuality == null ? null : previousMeanQuality - meanQuality;
    }

    /** True when the mean quality fell by more than {@link #maxQualityDrop}. */
    public boolean qualityGate() {
        Double drop = qualityDrop();
        return drop != null && drop > maxQualityDrop;
    }

    /** The nightly one-line summary. */
    public String summary() {
        return String.format(Locale.ROOT, "mean quality %s (previous %s), %d relabelled, %d added, "
                + "%d removed, instances by class %s", fmt(meanQuality), fmt(previousMeanQuality), relabelled, added,
                removed, instancesByClass);
    }

    private static String fmt(Double d) {
        return d == null ? "n/a" : String.format(Locale.ROOT, "%.4f", d);
    }
}
