package io.pseudolabel.job.train;

import io.pseudolabel.image.ImageDecodeException;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.OutputPaths;
import io.pseudolabel.labeler.LabelStatus;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import io.pseudolabel.onnx.NativeCalls;
import io.pseudolabel.segmenter.SegmenterTrainer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Segmenter inference over a dataset in parallel: a prediction table (the label table's image_id, uri,
 * width, height, status, error and semantic_png columns, so {@code eval} reads both) and optionally one
 * palette PNG per image. Needs only the segmenter, never the foundation models.
 */
public final class PredictJob {
    public static final StructType SCHEMA = new StructType()
            .add(LabelTable.IMAGE_ID, DataTypes.StringType, false)
            .add(LabelTable.URI, DataTypes.StringType, false)
            .add(LabelTable.WIDTH, DataTypes.IntegerType, false)
            .add(LabelTable.HEIGHT, DataTypes.IntegerType, false)
            .add(LabelTable.STATUS, DataTypes.StringType, false)
            .add(LabelTable.ERROR, DataTypes.StringType, true)
            .add(LabelTable.SEMANTIC_PNG, DataTypes.BinaryType, true);

    private PredictJob() {}

    /** Writes {@code <output>/predictions} (Parquet) and, with {@code pngs}, {@code <output>/png/<id>.png}; returns the table's path. */
    public static String run(SparkSession spark, SegmenterModel model, List<ImageRef> images, String output,
            boolean pngs, ImageLimits limits) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SegmenterModel> m = jsc.broadcast(model);
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(jsc.hadoopConfiguration()));
        String pngDir = pngs ? HadoopFiles.child(output, "png") : null;
        int partitions = Math.max(1, Math.min(images.size(), 2 * jsc.defaultParallelism()));
        JavaRDD<Row> rows = jsc.parallelize(images, partitions).mapPartitions(it -> {
            List<Row> out = new ArrayList<>();
            if (!it.hasNext()) {
                return out.iterator();
            }
            ImageDecoder decoder = new ImageDecoder(limits);
            try (SegmenterTrainer net = DistributedTrainer.newTrainer(m.value().config())) {
                net.load(m.value().weights());
                while (it.hasNext()) {
                    ImageRef ref = it.next();
                    if (ref.refused() != null) {
                        out.add(RowFactory.create(ref.imageId(), ref.uri(), 0, 0, LabelStatus.BAD_ID.name(), ref.refused(), null));
                        continue;
                    }
                    try {
                        RgbImage image = decoder.decode(HadoopFiles.read(ref.uri(), limits.maxFileBytes(),
                                conf.value().value()), ref.uri());
                        byte[] png = PalettePng.write(new ClassMap(image.width(), image.height(),
                                NativeCalls.run("segmenter inference", () -> net.predict(image))));
                        if (pngDir != null) {
                            HadoopFiles.writeAtomically(OutputPaths.under(pngDir, ref.imageId() + ".png"), png,
                                    conf.value().value());
                        }
                        out.add(RowFactory.create(ref.imageId(), ref.uri(), image.width(), image.height(), LabelStatus.OK.name(), null,
                                png));
                    } catch (ImageDecodeException | IOException e) {
                        out.add(RowFactory.create(ref.imageId(), ref.uri(), 0, 0, LabelStatus.BAD_IMAGE.name(), e.getMessage(), null));
                    }
                }
            }
            return out.iterator();
        });
        Dataset<Row> df = spark.createDataFrame(rows, SCHEMA);
        String table = HadoopFiles.child(output, "predictions");
        spark.sparkContext().setJobDescription(String.format(Locale.ROOT, "predict: %,d images",
                images.size()));
        try {
            df.write().mode(SaveMode.ErrorIfExists).parquet(table);
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
        return table;
    }
}
