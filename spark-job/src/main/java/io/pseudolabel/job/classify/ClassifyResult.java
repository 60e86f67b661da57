package io.pseudolabel.job.classify;

import com.google.gson.GsonBuilder;
import io.pseudolabel.eval.AveragePrecision;
import io.pseudolabel.eval.AveragePrecision.ClassAp;
import io.pseudolabel.eval.AveragePrecision.Summary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Classification AP of image-level scores against image-level ground truth: per class, and their mean over
 * the classes with at least one positive image. Images without scores (failed, or absent from a label
 * table) are counted and listed, not scored.
 *
 * @param ap scikit-learn's non-interpolated AP (the main number)
 * @param ap11 VOC07 11-point AP on the same curve, for comparison with older tables
 * @param errors the first {@value #MAX_LISTED} images that failed
 * @param missing the first {@value #MAX_LISTED} ground-truth images with no scores
 * @param notInGroundTruth scored images (label table rows) that the ground truth does not list
 */
public record ClassifyResult(Summary ap, Summary ap11, String scores, String groundTruth, long errorCount,
        List<String> errors, long missingCount, List<String> missing, long notInGroundTruth, long millis) {

    static final int MAX_LISTED = 10;
    public static final String AP_RULE = "AP = sum over descending score thresholds of (R_n - R_{n-1}) * P_n, tied "
            + "scores one threshold (scikit-learn's average_precision_score); mAP over the classes with at least "
            + "one positive image";

    public double map() {
        return ap.map();
    }

    public int numImages() {
        return ap.images();
    }

    /** Per-class AP by name, classes without a positive left out. */
    public Map<String, Double> perClassAp() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (ClassAp c : ap.perClass()) {
            if (!Double.isNaN(c.ap())) {
                m.put(c.name(), c.ap());
            }
        }
        return m;
    }

    /** The console table, like {@code eval}'s. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        int width = Math.max(12, ap.perClass().stream().mapToInt(c -> c.name().length()).max().orElse(0) + 2);
        String f = "%-" + width + "s";
        sb.append(String.format(Locale.ROOT, f + " %8s %9s %9s%n", "class", "AP", "AP 11-pt", "positives"));
        for (int i = 0; i < ap.perClass().size(); i++) {
            ClassAp c = ap.perClass().get(i);
            if (Double.isNaN(c.ap())) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, f + " %8.4f %9.4f %9d%n", c.name(), c.ap(),
                    ap11.perClass().get(i).ap(), c.positives()));
        }
        sb.append(String.format(Locale.ROOT, f + " %8.4f %9.4f   (over %d classes with a positive image)%n", "mAP",
                ap.map(), ap11.map(), ap.perClass().size() - ap.excluded().size()));
        if (!ap.excluded().isEmpty()) {
            sb.append(String.format(Locale.ROOT, f + " %s%n", "no positive", String.join(", ", ap.excluded())));
        }
        sb.append(String.format(Locale.ROOT, f + " %8d%n", "images", ap.images()));
        if (missingCount > 0) {
            sb.append(String.format(Locale.ROOT, f + " %8d  e.g. %s%n", "no scores", missingCount, missing.get(0)));
        }
        if (errorCount > 0) {
            sb.append(String.format(Locale.ROOT, f + " %8d  first: %s%n", "errors", errorCount, errors.get(0)));
        }
        return sb.toString();
    }

    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("map", finite(ap.map()));
        json.put("map_voc07_11pt", finite(ap11.map()));
        json.put("num_images", ap.images());
        json.put("per_class_ap", perClass(ap));
        json.put("per_class_ap_voc07_11pt", perClass(ap11));
        Map<String, Integer> positives = new LinkedHashMap<>();
        ap.perClass().forEach(c -> positives.put(c.name(), c.positives()));
        json.put("positives", positives);
        json.put("classes_excluded", ap.excluded());
        json.put("ap_rule", AP_RULE);
        json.put("scores", scores);
        json.put("ground_truth", groundTruth);
        json.put("error_count", errorCount);
        json.put("errors", errors);
        json.put("missing_scores_count", missingCount);
        json.put("missing_scores", missing);
        json.put("scored_not_in_ground_truth", notInGroundTruth);
        if (millis > 0) {
            json.put("seconds", millis / 1000.0);
        }
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(json);
    }

    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Classification mAP\n\n");
        sb.append("- scores: ").append(scores).append('\n');
        sb.append("- ground truth: ").append(groundTruth).append('\n');
        sb.append(String.format(Locale.ROOT, "- **mAP %.4f** (VOC07 11-point %.4f) over %d classes, %d images%n",
                ap.map(), ap11.map(), ap.perClass().size() - ap.excluded().size(), ap.images()));
        if (!ap.excluded().isEmpty()) {
            sb.append("- no positive image, left out: ").append(String.join(", ", ap.excluded())).append('\n');
        }
        if (errorCount + missingCount > 0) {
            sb.append(String.format(Locale.ROOT, "- not scored: %d failed, %d without scores%n", errorCount,
                    missingCount));
        }
        sb.append("\n| class | AP | AP 11-pt | positives |\n| --- | ---: | ---: | ---: |\n");
        for (int i = 0; i < ap.perClass().size(); i++) {
            ClassAp c = ap.perClass().get(i);
            sb.append(Double.isNaN(c.ap()) ? String.format(Locale.ROOT, "| %s | – | – | 0 |%n", c.name())
                    : String.format(Locale.ROOT, "| %s | %.4f | %.4f | %d |%n", c.name(), c.ap(),
                            ap11.perClass().get(i).ap(), c.positives()));
        }
        sb.append("\n").append(AP_RULE).append(".\n");
        return sb.toString();
    }

    private static Map<String, Double> perClass(Summary s) {
        Map<String, Double> m = new LinkedHashMap<>();
        s.perClass().forEach(c -> m.put(c.name(), finite(c.ap())));
        return m;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /** Matches scores to ground truth by image id and computes both APs. */
    static ClassifyResult of(GroundTruth gt, Map<String, ImageScores> byId, String scores, long millis) {
        List<float[]> s = new ArrayList<>();
        List<boolean[]> y = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        long errorCount = 0;
        long missingCount = 0;
        for (Map.Entry<String, boolean[]> e : gt.positives().entrySet()) {
            ImageScores is = byId.get(e.getKey());
            if (is == null) {
                if (missingCount++ < MAX_LISTED) {
                    missing.add(e.getKey());
                }
            } else if (is.isFailed()) {
                if (errorCount++ < MAX_LISTED) {
                    errors.add(e.getKey() + ": " + is.error());
                }
            } else {
                s.add(is.scores());
                y.add(e.getValue());
            }
        }
        long extra = byId.keySet().stream().filter(id -> !gt.positives().containsKey(id)).count();
        float[][] sa = s.toArray(new float[0][]);
        boolean[][] ya = y.toArray(new boolean[0][]);
        return new ClassifyResult(
                AveragePrecision.summarize(gt.classNames(), sa, ya, AveragePrecision.Method.SKLEARN),
                AveragePrecision.summarize(gt.classNames(), sa, ya, AveragePrecision.Method.VOC07_11_POINT),
                scores, gt.description(), errorCount, errors, missingCount, missing, extra, millis);
    }
}
