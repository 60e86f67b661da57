package io.pseudolabel.job.train;

import io.pseudolabel.image.ImageDecodeException;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import io.pseudolabel.segmenter.Sample;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;


/** Pseudo-labelled samples for training: the label table's OK rows, their images decoded, split into W shards. */
final class TrainingData {
    private TrainingData() {}

    /**
     * One partition per worker, decoded once and kept (memory, spilling to disk) for every round.
     *
     * @param imagesRoot when not null, images are read from {@code imagesRoot/<file name of uri>} instead of the
     *     label table's {@code uri} (the pseudo-labels moved with their images)
     */
    static JavaRDD<Sample> shards(SparkSession spark, String labels, String imagesRoot, int workers,
            ImageLimits limits, CollectionAccumulator<String> skipped) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(jsc.hadoopConfiguration()));
        JavaRDD<Row> rows = spark.read().parquet(labels).filter(LabelTable.ok())
                .select(LabelTable.URI, LabelTable.SEMANTIC_PNG).orderBy(LabelTable.URI).javaRDD();
        return rows.repartition(workers).mapPartitions(it -> {
            ImageDecoder decoder = new ImageDecoder(limits);
            List<Sample> out = new ArrayList<>();
            while (it.hasNext()) {
                Row r = it.next();
                String uri = r.getString(0);
                String from = imagesRoot == null ? uri : HadoopFiles.child(imagesRoot, uri.substring(uri.lastIndexOf('/') + 1));
                // An image or label map that cannot be read, or is beyond pseudolabel.image.*, is left out and
                // reported; it does not end the training.
                try {
                    RgbImage image = decoder.decode(HadoopFiles.read(from, limits.maxFileBytes(), conf.value().value()),
                            from);
                    ClassMap labelsMap = PalettePng.read((byte[]) r.get(1), limits, "semantic_png of " + uri);
                    out.add(new Sample(image, labelsMap));
                } catch (ImageDecodeException | IOException | RuntimeException e) {
                    skipped.add(e instanceof ImageDecodeException || e instanceof IllegalArgumentException
                            ? e.getMessage() : from + ": " + e);
                }
            }
            return out.iterator();
        }).persist(StorageLevel.MEMORY_AND_DISK());
    }
}
