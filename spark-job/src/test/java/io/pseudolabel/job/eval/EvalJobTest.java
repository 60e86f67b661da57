package io.pseudolabel.job.eval;

import io.pseudolabel.eval.ConfusionMatrix;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.TestSpark;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.CocoRle;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalJobTest {
    private static final ImageLimits LIMITS = TestSpark.limits();

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
        EvalResult r = EvalJob.run(spark, EvalJob.Spec.of(dir.resolve("pred").toString(), dir.resolve("gt").toString(), LIMITS)
                .withNumClasses(EvalData.CLASSES).withSamples(5));

        // the expectations come from a plain loop over the pixels (Reference below), not from ConfusionMatrix
        long[][] sum = new long[EvalData.CLASSES][EvalData.CLASSES];
        List<double[]> perImage = new ArrayList<>(); // {index, miou}
        for (int i = 0; i < data.gts.size(); i++) {
            long[][] one = Reference.count(data.gts.get(i).ids(), data.preds.get(i).ids(), EvalData.CLASSES);
            Reference.addTo(sum, one);
            perImage.add(new double[] {i, Reference.meanIou(one)});
        }
        for (int g = 0; g < EvalData.CLASSES; g++) {
            for (int p = 0; p < EvalData.CLASSES; p++) {
                assertEquals(sum[g][p], r.matrix().get(g, p), "cell " + g + "," + p);
            }
        }
        assertTrue(Reference.total(sum) > 1_000_000, "a real amount of pixels: " + Reference.total(sum));
        assertEquals(Reference.meanIou(sum), r.miou(), 1e-12);
        assertEquals(Reference.pixelAccuracy(sum), r.pixelAccuracy(), 1e-12);
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
        assertEquals(perImage.get(0)[1], worst.get(0).miou(), 1e-12);
        int first = data.scoredIds.indexOf(worst.get(0).id());
        assertEquals(data.gts.get(first), worst.get(0).gt());
        assertEquals(data.preds.get(first), worst.get(0).pred());
    }

    /**
     * mmsegmentation's metric written out as plainly as possible, independent of {@code ConfusionMatrix}: count
     * (truth, prediction) pairs, skipping 255 on either side; IoU of a class = TP / (TP + FP + FN), averaged over the
     * classes present in the truth or the prediction; pixel accuracy = diagonal / total.
     */
    static final class Reference {
        static long[][] count(byte[] gt, byte[] pred, int classes) {
            long[][] m = new long[classes][classes];
            for (int i = 0; i < gt.length; i++) {
                int g = gt[i] & 0xFF;
                int p = pred[i] & 0xFF;
                if (g != 255 && p != 255) {
                    m[g][p]++;
                }
            }
            return m;
        }

        static void addTo(long[][] sum, long[][] one) {
            for (int g = 0; g < sum.length; g++) {
                for (int p = 0; p < sum.length; p++) {
                    sum[g][p] += one[g][p];
                }
            }
        }

        static long total(long[][] m) {
            long t = 0;
            for (long[] row : m) {
                for (long v : row) {
                    t += v;
                }
            }
            return t;
        }

        static double meanIou(long[][] m) {
            double s = 0;
            int present = 0;
            for (int c = 0; c < m.length; c++) {
                long tp = m[c][c];
                long fn = 0;
                long fp = 0;
                for (int o = 0; o < m.length; o++) {
                    if (o != c) {
                        fn += m[c][o];
                        fp += m[o][c];
                    }
                }
                if (tp + fn + fp > 0) {
                    s += (double) tp / (tp + fn + fp);
                    present++;
                }
            }
            return s / present;
        }

        static double pixelAccuracy(long[][] m) {
            long diag = 0;
            for (int c = 0; c < m.length; c++) {
                diag += m[c][c];
            }
            return (double) diag / total(m);
        }
    }

    @Test
    void referenceAndProductMatchHandCountedPixels() {
        // 2 classes, 6 pixels: truth 0 0 1 1 1 255, prediction 0 1 1 1 0 1 -> counted pairs (0,0) (0,1) (1,1) (1,1)
        // (1,0); IoU(0) = 1 / (1 + 1 + 1) = 1/3, IoU(1) = 2 / (2 + 1 + 1) = 1/2, mean 5/12; accuracy 3/5
        long[][] m = Reference.count(new byte[] {0, 0, 1, 1, 1, (byte) 255}, new byte[] {0, 1, 1, 1, 0, 1}, 2);
        assertEquals(5.0 / 12, Reference.meanIou(m), 1e-15);
        assertEquals(0.6, Reference.pixelAccuracy(m), 1e-15);
        ConfusionMatrix product = new ConfusionMatrix(2)
                .add(new byte[] {0, 0, 1, 1, 1, (byte) 255}, new byte[] {0, 1, 1, 1, 0, 1});
        assertEquals(5.0 / 12, product.meanIou(), 1e-15);
        assertEquals(0.6, product.pixelAccuracy(), 1e-15);
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
            EvalData.save(pred.resolve(im.key() + ".png"), im.rasterise(LIMITS), true);
        }
        EvalData.save(pred.resolve("000010.png"), new ClassMap(6, 5), true);
        EvalData.save(pred.resolve("000099.png"), new ClassMap(6, 5), true);

        // a COCO root and --split find annotations/instances_val.json
        EvalResult r = EvalJob.run(spark, EvalJob.Spec.of(pred.toString(), coco.toString(), LIMITS).withSplit("val"));
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

    /** A PNG signature and an indexed IHDR claiming {@code w x h}, then IEND: 45 bytes. */
    static byte[] claimedPalettePng(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes()).putInt(w).putInt(h)
                .put(new byte[] {8, 3, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        return ByteBuffer.allocate(8 + 25 + 12)
                .put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}).putInt(13).put(ihdr.array())
                .putInt((int) crc.getValue()).putInt(0).put("IEND".getBytes()).putInt(0xAE426082).array();
    }

    /**
     * Label maps that claim more pixels than pseudolabel.image.* allows, on either side, are errors of their own
     * images (refused from the header, nothing allocated); the other images are scored.
     */
    @Test
    void oversizedLabelMapsOnEitherSideAreErrorsOfTheirOwnImages() throws Exception {
        Path gt = dir.resolve("limits-gt");
        Path pred = dir.resolve("limits-pred");
        ClassMap ok = new ClassMap(4, 3, new byte[] {0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0});
        EvalData.save(gt.resolve("ok.png"), ok, true);
        EvalData.save(pred.resolve("ok.png"), ok, true);
        Files.write(gt.resolve("huge-gt.png"), claimedPalettePng(40_000, 40_000));
        EvalData.save(pred.resolve("huge-gt.png"), ok, true);
        EvalData.save(gt.resolve("strip-pred.png"), ok, true);
        Files.write(pred.resolve("strip-pred.png"), claimedPalettePng(2, 40_000));

        EvalResult r = EvalJob.run(spark, EvalJob.Spec.of(pred.toString(), gt.toString(), LIMITS).withNumClasses(2));
        assertEquals(1, r.numImages());
        assertEquals(1.0, r.miou(), 0);
        List<String> errors = r.errors().stream().sorted().toList();
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("huge-gt: unreadable ground truth: ") && errors.get(0).endsWith(
                "huge-gt.png: image is 40000x40000 = 1600000000 pixels, more than the limit of 100000000 "
                        + "(pseudolabel.image.max-pixels)"), errors.get(0));
        assertTrue(errors.get(1).startsWith("strip-pred: unreadable prediction: ") && errors.get(1).endsWith(
                "strip-pred.png: image is 2x40000: its height 40000 is more than the limit of 30000 "
                        + "(pseudolabel.image.max-side)"), errors.get(1));
    }

    /** A COCO image claiming 65535 x 65535 (or 40000 x 40000) is its own error; the file's other images count. */
    @Test
    void cocoImagesBeyondTheLimitsAreTheirOwnErrors() throws Exception {
        String json = CocoRasterTest.JSON.replace("%s", CocoRle.compress(new int[] {24, 1, 4, 1}))
                .replace("{\"id\": 10, \"file_name\": \"000010.jpg\", \"width\": 6, \"height\": 5}",
                        "{\"id\": 10, \"file_name\": \"000010.jpg\", \"width\": 65535, \"height\": 65535},"
                                + " {\"id\": 11, \"file_name\": \"000011.jpg\", \"width\": 40000, \"height\": 40000}");
        Path file = dir.resolve("coco-limits/instances.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
        CocoInstances parsed = CocoInstances.parse(new StringReader(json));
        Path pred = dir.resolve("coco-limits-pred");
        for (int i = 0; i < 3; i++) {
            CocoInstances.Image im = parsed.images().get(i);
            EvalData.save(pred.resolve(im.key() + ".png"), im.rasterise(LIMITS), true);
        }
        EvalData.save(pred.resolve("000010.png"), new ClassMap(6, 5), true);
        EvalData.save(pred.resolve("000011.png"), new ClassMap(6, 5), true);

        EvalResult r = EvalJob.run(spark, EvalJob.Spec.of(pred.toString(), file.toString(), LIMITS));
        assertEquals(3, r.numImages());
        assertEquals(1.0, r.miou(), 0);
        List<String> errors = r.errors().stream().sorted().toList();
        assertEquals(List.of("000010: unreadable ground truth: COCO image 10 (000010.jpg): image is 65535x65535 = "
                + "4294836225 pixels, more than the limit of 100000000 (pseudolabel.image.max-pixels)",
                "000011: unreadable ground truth: COCO image 11 (000011.jpg): image is 40000x40000 = 1600000000 "
                        + "pixels, more than the limit of 100000000 (pseudolabel.image.max-pixels)"), errors);
    }
}
