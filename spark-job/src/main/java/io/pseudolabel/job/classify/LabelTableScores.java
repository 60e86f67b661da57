package io.pseudolabel.job.classify;

import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.labeler.LabelStatus;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores from an existing label table: each image's {@code labels} (the top-n classes CLIP kept, with their
 * probabilities) by class name; every class not listed scores 0. Rows whose status is not OK are failures.
 */
public final class LabelTableScores {
    /** Printed before scoring: the table cannot rank the classes it did not keep. */
    public static final String TRUNCATION_WARNING = "warning: --labels scores only the labels each image kept "
            + "(the top-n rule, pseudolabel.clip.top-n / min-prob); every other class scores 0, which truncates "
            + "the ranking, so AP here is not comparable to scoring every class with CLIP";

    private LabelTableScores() {}

    /**
     * @param table a labels directory (already resolved from a run root or run directory)
     * @throws IllegalArgumentException when the table lacks a column, names a class outside {@code classNames},
     *     or lists an image twice
     */
    public static Map<String, ImageScores> read(SparkSession spark, String table, List<String> classNames) {
        Dataset<Row> df = spark.read().parquet(table);
        List<String> columns = Arrays.asList(df.columns());
        for (String c : List.of(LabelTable.IMAGE_ID, LabelTable.STATUS, LabelTable.ERROR, LabelTable.LABELS)) {
            if (!columns.contains(c)) {
                throw new IllegalArgumentException(table + " is not a label table: no column '" + c + "' (columns: "
                        + columns + ")");
            }
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classNames.size(); i++) {
            index.put(GroundTruth.key(classNames.get(i)), i);
        }
        Map<String, ImageScores> out = new LinkedHashMap<>();
        // One row per image with at most top-n labels: small enough to bring to the driver.
        for (Row r : df.select(LabelTable.IMAGE_ID, LabelTable.STATUS, LabelTable.ERROR, LabelTable.LABELS).collectAsList()) {
            String id = r.getString(0);
            ImageScores s;
            if (!LabelStatus.OK.name().equals(r.getString(1))) {
                s = ImageScores.failed(id, r.getString(1) + ": " + r.getString(2));
            } else {
                float[] scores = new float[classNames.size()];
                for (Row label : r.<Row>getList(3)) {
                    String name = label.getAs("name");
                    Integer c = index.get(GroundTruth.key(name));
                    if (c == null) {
                        throw new IllegalArgumentException(table + ": image '" + id + "' has label '" + name
                                + "', which is not in the class list (--classes): " + classNames);
                    }
                    scores[c] = Math.max(scores[c], label.<Float>getAs("score"));
                }
                s = ImageScores.ok(id, scores);
            }
            if (out.put(id, s) != null) {
                throw new IllegalArgumentException(table + ": image id '" + id + "' has more than one row");
            }
        }
        return out;
    }
}
