package io.pseudolabel.segmenter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pretrained ResNet weights in torchvision's (and timm's) state-dict layout, e.g. ImageNet weights from
 * {@code timm/resnet101.tv_in1k}'s {@code model.safetensors}, put into the segmenter's backbone.
 *
 * <p>The file's tensors are {@code conv1.weight}, {@code bn1.{weight,bias,running_mean,running_var}},
 * {@code layer{1..4}.{i}.conv{1,2,3}.weight}, {@code layer{…}.bn{1,2,3}.*} and
 * {@code layer{…}.downsample.{0,1}.*}; {@code fc.*} and {@code *.num_batches_tracked} are ignored. A file
 * whose tensors all sit under {@code backbone.} (a model written by {@code train}, or torchvision's
 * segmentation models) is read the same way, and everything outside {@code backbone.} is ignored.
 *
 * <p>Every backbone tensor of the model must be in the file with the model's shape and a float dtype
 * (F32, F16, BF16, F64), and the file must hold no other backbone tensor (say a deeper ResNet's
 * {@code layer3.6.*}); otherwise the file is refused naming the tensors.
 */
public final class BackboneWeights {

    /**
     * @param weights the model's weights with the backbone replaced
     * @param loaded  tensors copied from the file
     * @param ignored names in the file that were skipped ({@code fc.*}, {@code num_batches_tracked}, and
     *                with a {@code backbone.} prefix everything else outside it)
     * @param prefix  {@code ""} for a torchvision/timm file, {@code "backbone."} for a whole model
     */
    public record Loaded(SegmenterWeights weights, int loaded, List<String> ignored, String prefix) {
        /** One line for the log: how many tensors were loaded and what was ignored. */
        public String summary(String source) {
            StringBuilder s = new StringBuilder();
            s.append("loaded ").append(loaded).append(" backbone tensors from ").append(source);
            if (!prefix.isEmpty()) {
                s.append(" (under ").append(prefix).append(')');
            }
            if (!ignored.isEmpty()) {
                s.append("; ignored ").append(ignored.size()).append(": ")
                        .append(String.join(", ", ignored.subList(0, Math.min(6, ignored.size()))))
                        .append(ignored.size() > 6 ? ", …" : "");
            }
            return s.toString();
        }
    }

    private BackboneWeights() {
    }

    /**
     * The backbone tensors of a model, given its documented names and shapes
     * ({@link SegmenterTrainer#parameterShapes()}), as torchvision names (without {@code backbone.}) and
     * shapes, in order: what a file must hold.
     */
    public static LinkedHashMap<String, long[]> expected(Map<String, long[]> modelShapes) {
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : modelShapes.entrySet()) {
            if (e.getKey().startsWith(TensorNames.BACKBONE)) {
                out.put(e.getKey().substring(TensorNames.BACKBONE.length()), e.getValue());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the model's weights hold no " + TensorNames.BACKBONE + "* tensors");
        }
        return out;
    }

    /**
     * {@code model} (documented names, as {@link SegmenterTrainer#snapshot()} gives them) with every backbone
     * tensor taken from {@code file}.
     *
     * @throws IllegalArgumentException naming the file and the tensors when the file does not fit the backbone
     */
    public static Loaded apply(SegmenterWeights model, Safetensors.File file) {
        LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
        model.tensors().forEach((name, t) -> shapes.put(name, t.shape()));
        LinkedHashMap<String, long[]> expected = expected(shapes);
        Map<String, Safetensors.Entry> entries = file.entries();
        String prefix = prefix(file);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            Safetensors.Entry t = entries.get(prefix + e.getKey());
            if (t == null) {
                problems.add(prefix + e.getKey() + " " + Arrays.toString(e.getValue()) + " is missing");
            } else if (!Arrays.equals(t.shape(), e.getValue())) {
                problems.add(prefix + e.getKey() + " has shape " + Arrays.toString(t.shape()) + ", the backbone needs "
                        + Arrays.toString(e.getValue()));
            } else if (!t.dtype().isFloat()) {
                problems.add(prefix + e.getKey() + " is " + t.dtype() + ", not F32, F16, BF16 or F64");
            }
        }
        List<String> ignored = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String name : entries.keySet()) {
            if (!name.startsWith(prefix)) {
                ignored.add(name);
                continue;
            }
            String local = name.substring(prefix.length());
            if (expected.containsKey(local)) {
                continue;
            }
            if (local.endsWith("num_batches_tracked") || (prefix.isEmpty() && local.startsWith("fc."))) {
                ignored.add(name);
            } else {
                unknown.add(name);
            }
        }
        if (!problems.isEmpty() || !unknown.isEmpty()) {
            List<String> shown = new ArrayList<>(problems.subList(0, Math.min(8, problems.size())));
            if (problems.size() > 8) {
                shown.add("and " + (problems.size() - 8) + " more");
            }
            if (!unknown.isEmpty()) {
                shown.add(unknown.size() + " tensor(s) this backbone does not have: " + first(unknown, 8)
                        + " (a ResNet of another depth?)");
            }
            throw new IllegalArgumentException(file.source() + " does not fit a " + describe(expected) + ": "
                    + String.join("; ", shown));
        }
        LinkedHashMap<String, SegmenterWeights.Tensor> merged = new LinkedHashMap<>(model.tensors());
        for (String local : expected.keySet()) {
            merged.put(TensorNames.BACKBONE + local, file.tensor(prefix + local));
        }
        return new Loaded(new SegmenterWeights(merged), expected.size(), ignored, prefix);
    }

    /** "" for a torchvision/timm file, "backbone." for one written by train. */
    private static String prefix(Safetensors.File file) {
        Map<String, Safetensors.Entry> entries = file.entries();
        if (entries.containsKey("conv1.weight")) {
            return "";
        }
        if (entries.containsKey(TensorNames.BACKBONE + "conv1.weight")) {
            return TensorNames.BACKBONE;
        }
        throw new IllegalArgumentException(file.source() + ": not a torchvision/timm ResNet: no tensor conv1.weight "
                + "(nor backbone.conv1.weight); first tensors: " + first(entries.keySet(), 5));
    }

    /** e.g. "ResNet backbone with 3/4/23/3 bottleneck units, stem 64 channels". */
    private static String describe(Map<String, long[]> expected) {
        int[] units = new int[4];
        for (String name : expected.keySet()) {
            for (int s = 0; s < 4; s++) {
                if (name.startsWith("layer" + (s + 1) + ".") && name.endsWith(".conv1.weight")) {
                    units[s]++;
                }
            }
        }
        boolean bottleneck = expected.containsKey("layer1.0.conv3.weight");
        return "ResNet backbone with " + units[0] + "/" + units[1] + "/" + units[2] + "/" + units[3] + " "
                + (bottleneck ? "bottleneck" : "basic") + " units, stem " + expected.get("conv1.weight")[0]
                + " channels";
    }

    private static String first(Iterable<String> names, int n) {
        List<String> out = new ArrayList<>();
        int total = 0;
        for (String s : names) {
            if (out.size() < n) {
                out.add(s);
            }
            total++;
        }
        return String.join(", ", out) + (total > n ? ", … (" + total + " in all)" : "");
    }
}
