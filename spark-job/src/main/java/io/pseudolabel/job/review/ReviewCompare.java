package io.pseudolabel.job.review;

import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.eval.ReportImages;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * {@code review --compare RUN}: per image in both runs, the share of pixels whose class is the same in the two
 * runs' {@code semantic_png} (0 when the sizes differ), computed on the executors; the K lowest are taken with
 * {@code takeOrdered} and shown side by side, this run's overlay beside the other run's.
 */
final class ReviewCompare {
    private ReviewCompare() {}

    record Agreement(String id, double agreement) implements Serializable {}

    /** Lowest agreement first, then image id. */
    static final class ByAgreement implements Comparator<Agreement>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Agreement a, Agreement b) {
            int c = Double.compare(a.agreement(), b.agreement());
            return c != 0 ? c : a.id().compareTo(b.id());
        }
    }

    static double agreement(ClassMap a, ClassMap b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            return 0;
        }
        byte[] x = a.ids();
        byte[] y = b.ids();
        long same = 0;
        for (int i = 0; i < x.length; i++) {
            same += x[i] == y[i] ? 1 : 0;
        }
        return x.length == 0 ? 1 : same / (double) x.length;
    }

    static List<ReviewJob.Tile> mostChanged(SparkSession spark, Dataset<Row> current, String otherLabels, int k,
            Broadcast<SerializableConfiguration> conf, ImageLimits limits, String[] reroot) {
        Dataset<Row> other = spark.read().parquet(otherLabels).filter(LabelTable.ok())
                .select(col(LabelTable.IMAGE_ID).as("other_id"), col(LabelTable.SEMANTIC_PNG).as("other_png"));
        Dataset<Row> both = current.join(other, col(LabelTable.IMAGE_ID).equalTo(col("other_id")))
                .filter(col(LabelTable.SEMANTIC_PNG).isNotNull().and(col("other_png").isNotNull()));
        List<Agreement> lowest = both.select(col(LabelTable.IMAGE_ID), col(LabelTable.SEMANTIC_PNG), col("other_png")).javaRDD()
                .map(r -> new Agreement(r.getString(0), agreement(
                        PalettePng.read((byte[]) r.get(1), limits, "semantic_png of " + r.getString(0)),
                        PalettePng.read((byte[]) r.get(2), limits, "the compared run's semantic_png of "
                                + r.getString(0)))))
                .takeOrdered(k, new ByAgreement());
        if (lowest.isEmpty()) {
            return List.of();
        }
        Map<String, Double> byId = new HashMap<>();
        for (Agreement a : lowest) {
            byId.put(a.id(), a.agreement());
        }
        Dataset<Row> rows = both.filter(col(LabelTable.IMAGE_ID).isin(byId.keySet().toArray()))
                .select(col(LabelTable.IMAGE_ID), col(LabelTable.URI), col(LabelTable.QUALITY), col(LabelTable.WIDTH), col(LabelTable.HEIGHT), col(LabelTable.INSTANCES),
                        col(LabelTable.SEMANTIC_PNG), col("other_png"));
        List<ReviewJob.Tile> tiles = new ArrayList<>(rows.javaRDD().repartition(Math.max(1,
                Math.min(lowest.size(), spark.sparkContext().defaultParallelism()))).map(r -> {
                    ReviewJob.Tile t = ReviewJob.tile(r, conf.value().value(), limits, reroot);
                    ClassMap otherMap = PalettePng.read((byte[]) r.get(7), limits, "the compared run's semantic_png");
                    RgbImage image = null;
                    try {
                        String source = ReviewJob.imageUri(t.uri(), reroot);
                        image = new ImageDecoder(limits).decode(HadoopFiles.read(source, limits.maxFileBytes(),
                                conf.value().value()), source);
                        if (image.width() != otherMap.width() || image.height() != otherMap.height()) {
                            image = null;
                        }
                    } catch (Exception e) {
                        image = null; // the tile's note already says why
                    }
                    String otherUri = ReportImages.dataUri(ReportImages.thumbnail(ReportImages.overlay(image, otherMap)), "jpeg");
                    return new ReviewJob.Tile(t.id(), t.uri(), t.quality(), t.width(), t.height(), t.dataUri(),
                            t.instances(), t.note(), otherUri, Double.NaN);
                }).collect());
        List<ReviewJob.Tile> out = new ArrayList<>();
        for (ReviewJob.Tile t : tiles) {
            out.add(new ReviewJob.Tile(t.id(), t.uri(), t.quality(), t.width(), t.height(), t.dataUri(),
                    t.instances(), t.note(), t.otherDataUri(), byId.get(t.id())));
        }
        out.sort(Comparator.comparingDouble(ReviewJob.Tile::agreement).thenComparing(ReviewJob.Tile::id));
        return out;
    }
}
