package io.pseudolabel.job.eval;

import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.masks.ClassMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Scores predictions against ground truth: the two sides keyed by image id and cogrouped, one confusion
 * matrix per image on the executors, summed with {@code treeAggregate} together with the bounded lists
 * of {@link EvalPartial} (errors, missing ids, the k worst images). Memory on the driver does not grow
 * with the number of images.
 */
public final class EvalJob {
    private EvalJob() {}

    /** The default number of worst images kept for the report. */
    public static final int DEFAULT_SAMPLES = 24;

    /**
     * What to evaluate.
     *
     * @param pred label run root / run dir / labels dir, any Parquet table with {@code image_id} and
     *     {@code semantic_png}, or a folder of PNG label maps
     * @param gt VOC root, COCO instances JSON (or COCO root with {@code annotations/}), or a PNG folder
     * @param split VOC {@code ImageSets/Segmentation/<split>.txt} or COCO {@code instances_<split>.json};
     *     null for all
     * @param classNames names of class ids 1..C (0 is "background"); null to take them from the ground
     *     truth (COCO categories, VOC {@code classes.txt}) or, failing that, name classes by id when
     *     {@code numClasses > 0}, else the VOC classes
     * @param numClasses number of class ids 0..N-1; 0 for "from the class names"
     * @param samples how many worst images to keep for the report (0 for none)
     * @param limits {@code pseudolabel.image.*}: a label map (either side) beyond them is that image's error
     */
    public record Spec(String pred, String gt, String split, List<String> classNames, int numClasses, int samples,
            ImageLimits limits) {
        public Spec {
            if (pred == null || gt == null || limits == null) {
                throw new IllegalArgumentException("evaluation needs a prediction, a ground truth and image limits");
            }
            if (numClasses < 0 || numClasses > 255) {
                throw new IllegalArgumentException("--num-classes must be 1..255 (255 is the ignore id): "
                        + numClasses);
            }
            if (classNames != null && numClasses > 0 && classNames.size() + 1 != numClasses) {
                throw new IllegalArgumentException(classNames.size() + " class names plus background make "
                        + (classNames.size() + 1) + " classes, not --num-classes " + numClasses);
            }
            if (samples < 0) {
                throw new IllegalArgumentException("samples must not be negative: " + samples);
            }
        }

        public static Spec of(String pred, String gt, ImageLimits limits) {
            return new Spec(pred, gt, null, null, 0, DEFAULT_SAMPLES, limits);
        }

        public Spec withSplit(String s) {
            return new Spec(pred, gt, s, classNames, numClasses, samples, limits);
        }

        public Spec withClassNames(List<String> names) {
            return new Spec(pred, gt, split, names, numClasses, samples, limits);
        }

        public Spec withNumClasses(int n) {
            return new Spec(pred, gt, split, classNames, n, samples, limits);
        }

        public Spec withSamples(int k) {
            return new Spec(pred, gt, split, classNames, numClasses, k, limits);
        }
    }

    public static EvalResult run(SparkSession spark, Spec spec) {
        long start = System.currentTimeMillis();
        EvalInputs.Input pred = EvalInputs.prediction(spark, spec.pred());
        EvalInputs.Input gt = EvalInputs.groundTruth(spark, spec.gt(), spec.split());
        List<String> names = classNames(spec, gt.classNames());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> conf =
                jsc.broadcast(new SerializableConfiguration(jsc.hadoopConfiguration()));
        int classes = names.size();
        int keep = spec.samples();
        ImageLimits limits = spec.limits();
        JavaPairRDD<String, Tuple2<Iterable<LabelItem>, Iterable<LabelItem>>> pairs = pred.items().cogroup(gt.items());
        int depth = pairs.getNumPartitions() > 64 ? 3 : 2;
        EvalPartial sum;
        spark.sparkContext().setJobDescription("eval: confusion matrices of " + pred.description() + " against "
                + gt.description());
        try {
            sum = pairs.treeAggregate(new EvalPartial(classes, keep),
                    (acc, pair) -> score(acc, pair._1(), pair._2()._1(), pair._2()._2(), conf.value(), limits),
                    EvalPartial::merge, depth);
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
        conf.destroy();
        return EvalResult.of(sum, names, pred.description(), gt.description(), System.currentTimeMillis() - start);
    }

    /** Scores one image id: both sides loaded here, on the executor. */
    static EvalPartial score(EvalPartial acc, String id, Iterable<LabelItem> preds, Iterable<LabelItem> gts,
            SerializableConfiguration conf, ImageLimits limits) {
        int nPred = count(preds);
        int nGt = count(gts);
        if (nPred > 1 || nGt > 1) {
            return acc.addError(id + ": appears " + nPred + " times in the prediction and " + nGt
                    + " times in the ground truth");
        }
        if (nGt == 0) {
            return acc.addMissingGroundTruth(id);
        }
        if (nPred == 0) {
            return acc.addMissingPrediction(id);
        }
        LabelItem pred = preds.iterator().next();
        LabelItem gt = gts.iterator().next();
        if (pred.absentReason() != null) {
            return acc.addMissingPrediction(id + " (" + pred.absentReason() + ")");
        }
        ClassMap gtMap;
        try {
            gtMap = gt.load(conf.value(), limits);
        } catch (Exception e) {
            return acc.addError(id + ": unreadable ground truth: " + e.getMessage());
        }
        ClassMap predMap;
        try {
            predMap = pred.load(conf.value(), limits);
        } catch (Exception e) {
            return acc.addError(id + ": unreadable prediction: " + e.getMessage());
        }
        String image = pred.imageUri() != null ? pred.imageUri() : gt.imageUri();
        return acc.addImage(id, gtMap, predMap, image, pred.quality());
    }

    private static int count(Iterable<LabelItem> items) {
        int n = 0;
        for (Iterator<LabelItem> it = items.iterator(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    /** Names of ids 0..C-1, by the rule of {@link Spec#classNames()}. */
    static List<String> classNames(Spec spec, List<String> fromGroundTruth) {
        List<String> names = new ArrayList<>();
        if (spec.classNames() != null || (spec.numClasses() == 0 && fromGroundTruth != null)) {
            names.add("background");
            names.addAll(spec.classNames() != null ? spec.classNames() : fromGroundTruth);
        } else if (spec.numClasses() > 0) {
            for (int i = 0; i < spec.numClasses(); i++) {
                names.add(Integer.toString(i));
            }
        } else {
            names.add("background");
            names.addAll(ClassList.VOC);
        }
        if (names.size() > 255) {
            throw new IllegalArgumentException(names.size() + " classes; at most 255 (255 is the ignore id)");
        }
        return names;
    }

    /** Scores a label table against VOC-layout ground truth ({@code SegmentationClass/<id>.png}), all ids. */
    public static EvalResult labelsAgainstVoc(SparkSession spark, String labelsUri, String vocRoot,
            List<String> classNames, ImageLimits limits) {
        return run(spark, Spec.of(labelsUri, vocRoot, limits).withClassNames(classNames));
    }

}
