package io.pseudolabel.job.eval;

import com.google.gson.GsonBuilder;
import io.pseudolabel.eval.ConfusionMatrix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * mIoU and friends from a summed confusion matrix. {@code miou} averages IoU over the classes present in
 * ground truth or prediction (mmsegmentation's rule); {@code classes_counted} lists them. Precision and
 * recall are per counted class (null in JSON where undefined: no predicted or no ground-truth pixel).
 */
public final class EvalResult {
    public static final String MIOU_RULE = "mean IoU over the classes present in the ground truth or the prediction"
            + " (mmsegmentation's rule); IoU = TP/(TP+FP+FN); pixels labelled 255 in either map are ignored";

    /** An off-diagonal cell: {@code pixels} of ground-truth class {@code gt} predicted as {@code pred}. */
    public record Confusion(String gt, String pred, long pixels, double fractionOfGt) {}

    private final EvalPartial p;
    private final List<String> names;
    private final String predDescription;
    private final String gtDescription;
    private final long millis;
    private final Map<String, Double> perClassIou = new LinkedHashMap<>();
    private final Map<String, Double> precision = new LinkedHashMap<>();
    private final Map<String, Double> recall = new LinkedHashMap<>();
    private final List<String> counted = new ArrayList<>();

    private EvalResult(EvalPartial p, List<String> names, String predDescription, String gtDescription, long millis) {
        this.p = p;
        this.names = List.copyOf(names);
        this.predDescription = predDescription;
        this.gtDescription = gtDescription;
        this.millis = millis;
        ConfusionMatrix m = p.matrix;
        for (int c : m.presentClasses()) {
            perClassIou.put(names.get(c), m.iou(c));
            precision.put(names.get(c), m.precision(c));
            recall.put(names.get(c), m.recall(c));
            counted.add(names.get(c));
        }
    }

    /** @param names class names for ids 0..C-1 */
    static EvalResult of(EvalPartial p, List<String> names) {
        return of(p, names, null, null, 0);
    }

    static EvalResult of(EvalPartial p, List<String> names, String predDescription, String gtDescription,
            long millis) {
        if (names.size() != p.matrix.classes()) {
            throw new IllegalArgumentException(names.size() + " class names for " + p.matrix.classes() + " classes");
        }
        return new EvalResult(p, names, predDescription, gtDescription, millis);
    }

    public double miou() {
        return p.matrix.meanIou();
    }

    public double pixelAccuracy() {
        return p.matrix.pixelAccuracy();
    }

    /** Images scored (both sides present, same size, ids in range). */
    public long numImages() {
        return p.images;
    }

    /** IoU by class name, for the counted classes in id order. */
    public Map<String, Double> perClassIou() {
        return perClassIou;
    }

    public List<String> classesCounted() {
        return counted;
    }

    /** Names of class ids 0..C-1. */
    public List<String> classNames() {
        return names;
    }

    public long errorCount() {
        return p.errorCount;
    }

    /** The first {@value EvalPartial#MAX_LISTED} per-image errors. */
    public List<String> errors() {
        return List.copyOf(p.errors);
    }

    public long missingPrediction() {
        return p.missingPrediction;
    }

    public List<String> missingPredictionIds() {
        return List.copyOf(p.missingPredictionIds);
    }

    public long missingGroundTruth() {
        return p.missingGroundTruth;
    }

    public List<String> missingGroundTruthIds() {
        return List.copyOf(p.missingGroundTruthIds);
    }

    /** The worst images by per-image mIoU, worst first (as many as the evaluation was asked to keep). */
    public List<EvalPartial.Sample> worstImages() {
        return List.copyOf(p.worst);
    }

    public ConfusionMatrix matrix() {
        return p.matrix;
    }

    public String predDescription() {
        return predDescription;
    }

    public String gtDescription() {
        return gtDescription;
    }

    /** Wall time of the evaluation job, 0 when not measured. */
    public long millis() {
        return millis;
    }

    /** Image label quality against image mIoU (no images when the prediction has no quality column). */
    public QualityAgreement quality() {
        return p.quality;
    }

    /** The largest off-diagonal cells, largest first. */
    public List<Confusion> topConfusions(int n) {
        ConfusionMatrix m = p.matrix;
        List<Confusion> all = new ArrayList<>();
        for (int g = 0; g < m.classes(); g++) {
            long gtPixels = m.gtPixels(g);
            for (int q = 0; q < m.classes(); q++) {
                long c = m.get(g, q);
                if (g != q && c > 0) {
                    all.add(new Confusion(names.get(g), names.get(q), c, (double) c / gtPixels));
                }
            }
        }
        all.sort((a, b) -> a.pixels() != b.pixels() ? Long.compare(b.pixels(), a.pixels())
                : (a.gt() + a.pred()).compareTo(b.gt() + b.pred()));
        return all.subList(0, Math.min(n, all.size()));
    }

    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("miou", finite(miou()));
        json.put("pixel_accuracy", finite(pixelAccuracy()));
        json.put("num_images", numImages());
        json.put("per_class_iou", finite(perClassIou));
        json.put("per_class_precision", finite(precision));
        json.put("per_class_recall", finite(recall));
        json.put("classes_counted", counted);
        json.put("miou_rule", MIOU_RULE);
        json.put("num_classes", names.size());
        List<Map<String, Object>> conf = new ArrayList<>();
        for (Confusion c : topConfusions(10)) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("gt", c.gt());
            o.put("pred", c.pred());
            o.put("pixels", c.pixels());
            o.put("fraction_of_gt", c.fractionOfGt());
            conf.add(o);
        }
        json.put("top_confusions", conf);
        json.put("error_count", errorCount());
        json.put("errors", p.errors);
        json.put("missing_prediction_count", missingPrediction());
        json.put("missing_prediction", p.missingPredictionIds);
        json.put("missing_ground_truth_count", missingGroundTruth());
        json.put("missing_ground_truth", p.missingGroundTruthIds);
        List<Map<String, Object>> worst = new ArrayList<>();
        for (EvalPartial.Sample s : p.worst) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("image_id", s.id());
            o.put("miou", s.miou());
            o.put("pixel_accuracy", s.pixelAccuracy());
            worst.add(o);
        }
        json.put("worst_images", worst);
        if (p.quality.images() > 0) {
            json.put("label_quality", qualityJson());
        }
        if (predDescription != null) {
            json.put("pred", predDescription);
            json.put("gt", gtDescription);
        }
        if (millis > 0) {
            json.put("seconds", millis / 1000.0);
        }
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(json);
    }

    /** Label quality against image mIoU: Spearman and the reliability bands. */
    private Map<String, Object> qualityJson() {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("images", p.quality.images());
        q.put("spearman", finite(p.quality.spearman()));
        List<Map<String, Object>> bands = new ArrayList<>();
        for (QualityAgreement.Band b : p.quality.reliability()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("quality_from", b.from());
            o.put("quality_to", b.to());
            o.put("images", b.images());
            o.put("mean_image_miou", finite(b.meanIou()));
            bands.add(o);
        }
        q.put("reliability", bands);
        return q;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    private static Map<String, Double> finite(Map<String, Double> m) {
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, finite(v)));
        return out;
    }

    /** The console table: one line per counted class, then the totals. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        int width = Math.max(12, perClassIou.keySet().stream().mapToInt(String::length).max().orElse(0) + 2);
        String f = "%-" + width + "s";
        sb.append(String.format(Locale.ROOT, f + " %8s %9s %8s%n", "class", "IoU", "precision", "recall"));
        perClassIou.forEach((k, v) -> sb.append(String.format(Locale.ROOT, f + " %8.4f %9.4f %8.4f%n", k, v,
                precision.get(k), recall.get(k))));
        sb.append(String.format(Locale.ROOT, f + " %8.4f   (over %d classes present in GT or prediction)%n",
                "mIoU", miou(), counted.size()));
        sb.append(String.format(Locale.ROOT, f + " %8.4f%n", "pixel acc.", pixelAccuracy()));
        sb.append(String.format(Locale.ROOT, f + " %8d%n", "images", numImages()));
        if (p.missingPrediction > 0) {
            sb.append(String.format(Locale.ROOT, f + " %8d  e.g. %s%n", "no pred.", p.missingPrediction,
                    p.missingPredictionIds.get(0)));
        }
        if (p.missingGroundTruth > 0) {
            sb.append(String.format(Locale.ROOT, f + " %8d  e.g. %s%n", "no GT", p.missingGroundTruth,
                    p.missingGroundTruthIds.get(0)));
        }
        if (p.errorCount > 0) {
            sb.append(String.format(Locale.ROOT, f + " %8d  first: %s%n", "errors", p.errorCount, p.errors.get(0)));
        }
        sb.append(qualityTable());
        return sb.toString();
    }

    /** Label quality against image mIoU: Spearman's rho and the reliability table; empty without qualities. */
    public String qualityTable() {
        QualityAgreement q = p.quality;
        if (q.images() == 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "label quality vs image mIoU: Spearman %.3f over %d images%n",
                q.spearman(), q.images()));
        sb.append(String.format(Locale.ROOT, "  %-11s %7s %15s%n", "quality", "images", "mean image mIoU"));
        for (QualityAgreement.Band b : q.reliability()) {
            sb.append(String.format(Locale.ROOT, "  %.1f - %.1f   %7d %15.4f%n", b.from(), b.to(), b.images(),
                    b.meanIou()));
        }
        return sb.toString();
    }
}
