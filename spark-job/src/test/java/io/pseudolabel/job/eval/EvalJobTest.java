package io.pseudolabel.job.eval;

import io.pseudolabel.eval.ConfusionMatrix;
import io.pseudolabel.job.TestSpark;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.CocoRle;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalJobTest {
    @TempDir
    static Path dir;
    static EvalData data;
    static SparkSession spark;

    @BeforeAll
    static void setUp() throws Exception {
        spark = TestSpark.session();
        data = EvalData.write(dir.resolve("gt"), dir.resolve("pred"), 24, 11L);
    }

    @Test
    void aggregateEqualsTheSumOfPerImageMatrices() {
        EvalResult r = EvalJob.run(spark, EvalJob.Spec.of(dir.resolve("pred").toString(), dir.resolve("gt").toString())
                .withNumClasses(EvalData.CLASSES).withSamples(5));

        ConfusionMatrix sum = new ConfusionMatrix(EvalData.CLASSES);
        List<double[]> perImage = new ArrayList<>(); // {index, miou}
        for (int i = 0; i < data.gts.size(); i++) {
            ConfusionMatrix one = new ConfusionMatrix(EvalData.CLASSES).add(data.gts.get(i).ids(), data.preds.get(i).ids());
            sum.merge(one);
            perImage.add(new double[] {i, one.meanIou()});
        }
        for (int g = 0; g < EvalData.CLASSES; g++) {
            for (int p = 0; p < EvalData.CLASSES; p++) {
                assertEquals(sum.get(g, p), r.matrix().get(g, p), "cell " + g + "," + p);
            }
        }
        assertTrue(sum.total() > 1_000_000, "a real amount of pixels: " + sum.total());
        assertEquals(sum.meanIou(), r.miou(), 0);
        assertEquals(sum.pixelAccuracy(), r.pixelAccuracy(), 0);
        assertEquals(24, r.numImages());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6"), r.classNames());

        assertEquals(2, r.errorCount(), r.errors().toString());
        assertTrue(r.errors().stream().anyMatch(e -> e.startsWith("wrong_size: prediction is 8x6, ground truth 10x6")),
                r.errors().toString());
        assertTrue(r.errors().stream().anyMatch(e -> e.startsWith("bad_id: class id 7")), r.errors().toString());
        assertEquals(List.of("only_gt"), r.missingPredictionIds());
        assertEquals(List.of("only_pred"), r.missingGroundTruthIds());

        perImage.sort(Comparator.<double[]>comparingDouble(a -> a[1]).thenComparingDouble(a -> a[0]));
        List<String> expectedWorst = perImage.subList(0, 5).stream().map(a -> data.scoredIds.get((int) a[0])).toList();
        List<EvalPartial.Sample> worst = r.worstImages();
        assertEquals(expectedWorst, worst.stream().map(EvalPartial.Sample::id).toList());
        assertEquals(perImage.get(0)[1], worst.get(0).miou(), 0);
        int first = data.scoredIds.indexOf(worst.get(0).id());
        assertEquals(data.gts.get(first), worst.get(0).gt());
        assertEquals(data.preds.get(first), worst.get(0).pred());
    }

    @Test
    void cocoGroundTruthAgainstPngFolder() throws Exception {
        Path coco = dir.resolve("coco");
        Files.createDirectories(coco.resolve("annotations"));
        String compressed = CocoRle.compress(new int[] {24, 1, 4, 1});
        Files.writeString(coco.resolve("annotations/instances_val.json"), CocoRasterTest.JSON.replace("%s", compressed));
        CocoInstances parsed = CocoRasterTest.parse();
        Path pred = dir.resolve("coco-pred");
        for (int i = 0; i < 3; i++) {
            CocoInstances.Image im = parsed.images().get(i);
            EvalData.save(pred.resolve(im.key() + ".png"), im.rasterise(), true);
        }
        EvalData.save(pred.resolve("000010.png"), new ClassMap(6, 5), true);
        EvalData.save(pred.resolve("000099.png"), new ClassMap(6, 5), true);

        // a COCO root and --split find annotations/instances_val.json
        EvalResult r = EvalJob.run(spark, EvalJob.Spec.of(pred.toString(), coco.toString()).withSplit("val"));
        assertEquals(List.of("background", "person", "car", "toothbrush"), r.classNames());
        assertEquals(3, r.numImages());
        assertEquals(1.0, r.miou(), 0);
        assertEquals(List.of("background", "person", "car", "toothbrush"), r.classesCounted());
        assertEquals(1, r.errorCount());
        assertTrue(r.errors().get(0).startsWith("000010: unreadable ground truth"), r.errors().get(0));
        assertEquals(List.of("000099"), r.missingGroundTruthIds());
        // crowd pixels are ignored: 30 + 16 + 16 pixels minus column 5 of image 7
        assertEquals(30 + 16 + 16 - 5, r.matrix().total());
    }
}
