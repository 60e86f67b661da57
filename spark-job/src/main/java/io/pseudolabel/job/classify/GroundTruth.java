package io.pseudolabel.job.classify;

import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.Layout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Image-level ground truth: for each listed image, which classes it holds. The labels are the ones the
 * dataset lister reads for the supervised label modes: the object names of a VOC {@code Annotations/<id>.xml},
 * or the categories of an image's COCO annotations.
 *
 * @param positives image id → one flag per class of {@code classNames}, in listing order
 */
public record GroundTruth(List<String> classNames, Map<String, boolean[]> positives, String description) {

    public GroundTruth {
        classNames = List.copyOf(classNames);
    }

    /**
     * @param root the dataset root ({@code --images})
     * @param annotations COCO's instances JSON (ignored for VOC)
     * @throws IllegalArgumentException naming the annotation file of a class outside {@code classNames}, a
     *     duplicate image id, or a set with no label at all
     */
    public static GroundTruth from(List<ImageRef> refs, List<String> classNames, Layout layout, String root,
            String annotations) {
        boolean coco = layout == Layout.COCO;
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classNames.size(); i++) {
            index.put(key(classNames.get(i)), i);
        }
        Map<String, boolean[]> positives = new LinkedHashMap<>();
        long labels = 0;
        for (ImageRef ref : refs) {
            boolean[] row = new boolean[classNames.size()];
            for (String name : ref.givenLabels()) {
                Integer c = index.get(key(name));
                if (c == null) {
                    String where = coco ? annotations + " (image " + ref.uri() + ")"
                            : HadoopFiles.child(root, "Annotations/" + ref.imageId() + ".xml");
                    throw new IllegalArgumentException(where + ": ground-truth class '" + name
                            + "' is not in the class list (--classes): " + classNames);
                }
                labels += row[c] ? 0 : 1;
                row[c] = true;
            }
            if (positives.put(ref.imageId(), row) != null) {
                throw new IllegalArgumentException("image id '" + ref.imageId() + "' is listed twice under " + root
                        + "; ids must be unique to match scores to ground truth");
            }
        }
        String source = coco ? annotations : HadoopFiles.child(root, "Annotations/");
        if (labels == 0) {
            throw new IllegalArgumentException("no ground-truth label in " + refs.size() + " images of " + source
                    + "; eval-classify needs objects in the annotations");
        }
        return new GroundTruth(classNames, positives,
                (coco ? "COCO annotations " : "VOC objects ") + source + " (" + refs.size() + " images, " + labels
                        + " image labels)");
    }

    static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    public List<String> imageIds() {
        return new ArrayList<>(positives.keySet());
    }
}
