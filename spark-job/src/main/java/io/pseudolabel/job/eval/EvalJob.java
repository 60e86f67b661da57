package io.pseudolabel.job.eval;

import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Scores a label table against VOC-layout ground truth ({@code SegmentationClass/<id>.png}): one confusion
 * matrix per image on the executors, summed with {@code treeAggregate}; memory does not grow with the
 * number of images.
 */
public final class EvalJob {
    private EvalJob() {}

    /** @param classNames foreground names; id 0 is background */
    public static EvalResult labelsAgainstVoc(SparkSession spark, String labelsUri, String vocRoot,
            List<String> classNames) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(jsc.hadoopConfiguration()));
        int classes = classNames.size() + 1;
        String gtDir = HadoopFiles.child(vocRoot, "SegmentationClass");
        JavaRDD<Row> rows = spark.read().parquet(labelsUri).filter(col("status").equalTo("OK"))
                .select("image_id", "semantic_png").javaRDD();
        EvalPartial sum = rows.treeAggregate(new EvalPartial(classes), (acc, row) -> {
            String id = row.getString(0);
            ClassMap pred = PalettePng.read((byte[]) row.get(1));
            ClassMap gt;
            try {
                gt = PalettePng.read(HadoopFiles.read(HadoopFiles.child(gtDir, id + ".png"), conf.value().value()));
            } catch (IOException | RuntimeException e) {
                return acc.addError(id + ": no readable ground truth: " + e.getMessage());
            }
            return acc.addImage(id, gt.ids(), pred.ids(), gt.width(), gt.height(), pred.width(), pred.height());
        }, EvalPartial::merge, 2);
        List<String> names = new ArrayList<>();
        names.add("background");
        names.addAll(classNames);
        return EvalResult.of(sum, names);
    }
}
