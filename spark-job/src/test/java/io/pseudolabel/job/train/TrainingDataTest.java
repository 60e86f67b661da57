package io.pseudolabel.job.train;

import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.TestSpark;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training reads its images within pseudolabel.image.*: one beyond them is left out and reported, not fatal. */
class TrainingDataTest {
    @TempDir
    Path tmp;

    @Test
    void anImageBeyondTheLimitsIsLeftOutAndNamedAndTheOthersTrain() throws Exception {
        SceneGenerator scenes = new SceneGenerator(FixtureWorld.load(), 3L);
        StructType schema = new StructType().add("uri", DataTypes.StringType).add("status", DataTypes.StringType)
                .add("semantic_png", DataTypes.BinaryType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            var image = scenes.scene(i).image();
            Path file = tmp.resolve("scene" + i + ".jpg");
            Files.write(file, VocSceneWriter.jpeg(image, 0.9f));
            rows.add(RowFactory.create(file.toUri().toString(), "OK",
                    PalettePng.write(new ClassMap(image.width(), image.height()))));
        }
        Path strip = tmp.resolve("strip.png");
        ImageIO.write(new BufferedImage(640, 8, BufferedImage.TYPE_INT_RGB), "png", strip.toFile());
        rows.add(RowFactory.create(strip.toUri().toString(), "OK", PalettePng.write(new ClassMap(640, 8))));
        SparkSession spark = TestSpark.session();
        String labels = tmp.resolve("labels").toString();
        spark.createDataFrame(rows, schema).write().parquet(labels);

        CollectionAccumulator<String> skipped = spark.sparkContext().collectionAccumulator("left out");
        long n = TrainingData.shards(spark, labels, null, 2, TestSpark.limits(), skipped).count();
        assertEquals(2, n);
        assertEquals(List.of(strip.toUri() + ": image is 640x8: aspect ratio 80.0:1 is more than the limit of 20:1 "
                + "(pseudolabel.image.max-aspect-ratio)"), skipped.value());

        // with max-pixels 1000 every image is refused, each named with the key
        CollectionAccumulator<String> none = spark.sparkContext().collectionAccumulator("left out 2");
        assertEquals(0, TrainingData.shards(spark, labels, null, 2, ImageLimits.from(
                TestSpark.config(Map.of("pseudolabel.image.max-pixels", "1000"))), none).count());
        assertEquals(3, none.value().size(), none.value().toString());
        assertTrue(none.value().stream().allMatch(e -> e.contains("(pseudolabel.image.max-pixels)")), none.value()
                .toString());
    }
}
