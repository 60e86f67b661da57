package io.pseudolabel.job.eval;

import io.pseudolabel.eval.ConfusionMatrix;

import com.google.gson.GsonBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * mIoU and friends from a summed confusion matrix. {@code miou} averages IoU over the classes present in
 * ground truth or prediction (mmsegmentation's rule); {@code classes_counted} lists them.
 */
public record EvalResult(double miou, double pixelAccuracy, long numImages, Map<String, Double> perClassIou,
        List<String> classesCounted, long errorCount, List<String> errors, ConfusionMatrix matrix) {

    /** @param names class names for ids 0..C-1 (0 is background) */
    static EvalResult of(EvalPartial p, List<String> names) {
        ConfusionMatrix m = p.matrix;
        Map<String, Double> perClass = new LinkedHashMap<>();
        List<String> counted = new ArrayList<>();
        for (int c : m.presentClasses()) {
            perClass.put(names.get(c), m.iou(c));
            counted.add(names.get(c));
        }
        return new EvalResult(m.meanIou(), m.pixelAccuracy(), p.images, perClass, counted, p.errorCount,
                List.copyOf(p.errors), m);
    }

    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("miou", miou);
        json.put("pixel_accuracy", pixelAccuracy);
        json.put("num_images", numImages);
        json.put("per_class_iou", perClassIou);
        json.put("classes_counted", classesCounted);
        json.put("miou_rule", "mean over classes present in ground truth or prediction");
        json.put("error_count", errorCount);
        json.put("errors", errors);
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(json);
    }

    /** The console table: one line per counted class, then the totals. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        int width = Math.max(12, perClassIou.keySet().stream().mapToInt(String::length).max().orElse(0) + 2);
        sb.append(String.format(Locale.ROOT, "%-" + width + "s %8s%n", "class", "IoU"));
        perClassIou.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%-" + width + "s %8.4f%n", k, v)));
        sb.append(String.format(Locale.ROOT, "%-" + width + "s %8.4f   (over %d classes present in GT or prediction)%n",
                "mIoU", miou, classesCounted.size()));
        sb.append(String.format(Locale.ROOT, "%-" + width + "s %8.4f%n", "pixel acc.", pixelAccuracy));
        sb.append(String.format(Locale.ROOT, "%-" + width + "s %8d%n", "images", numImages));
        if (errorCount > 0) {
            sb.append(String.format(Locale.ROOT, "%-" + width + "s %8d  first: %s%n", "errors", errorCount,
                    errors.get(0)));
        }
        return sb.toString();
    }
}
