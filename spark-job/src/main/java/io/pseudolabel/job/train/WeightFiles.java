package io.pseudolabel.job.train;

import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.segmenter.SegmenterConfig;
import io.pseudolabel.segmenter.SegmenterWeights;
import io.pseudolabel.segmenter.TensorNames;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights and optimizer state on disk: safetensors files (F32) with the documented tensor names of
 * {@link TensorNames}, readable with {@code safetensors} + {@code torch}. Models and checkpoints written before
 * (DJL-named {@code weights.bin} / {@code optimizer.bin}) are still read and renamed.
 */
public final class WeightFiles {
    /** The model's weights, in a model directory and in every checkpoint. */
    public static final String MODEL = "model.safetensors";
    /** The optimizer state of a checkpoint: {@code m.<name>}, {@code v.<name>} (Adam) and {@code step}. */
    public static final String OPTIMIZER = "optimizer.safetensors";
    static final String LEGACY_MODEL = "weights.bin";
    static final String LEGACY_OPTIMIZER = "optimizer.bin";

    private WeightFiles() {}

    /** The file's {@code __metadata__}: safetensors' {@code format}, what it holds, and the architecture. */
    static Map<String, String> metadata(String holds, String architecture) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("pseudolabel", holds);
        m.put("architecture", architecture);
        return m;
    }

    static void write(String dir, String name, SegmenterWeights weights, Map<String, String> metadata,
            Configuration conf) throws IOException {
        HadoopFiles.writeAtomically(HadoopFiles.child(dir, name), weights.toSafetensors(metadata), conf);
    }

    /**
     * {@code dir/name} (safetensors), or else {@code dir/legacy} (the older format, renamed to documented names).
     *
     * @throws IllegalArgumentException naming the file when neither exists or the one found is not valid
     */
    static SegmenterWeights read(String dir, String name, String legacy, Configuration conf) throws IOException {
        String file = HadoopFiles.child(dir, name);
        if (HadoopFiles.exists(file, conf)) {
            return SegmenterWeights.fromSafetensors(HadoopFiles.read(file, conf), file);
        }
        String old = HadoopFiles.child(dir, legacy);
        if (HadoopFiles.exists(old, conf)) {
            try {
                return TensorNames.fromDjlNames(SegmenterWeights.fromBytes(HadoopFiles.read(old, conf)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(old + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("no " + name + " (nor an older " + legacy + ") in " + dir);
    }

    /**
     * Refuses weights whose names are not exactly those of a model of {@code config} (checked on the driver,
     * before any executor loads them; shapes are checked when they are loaded).
     */
    static void checkNames(SegmenterWeights weights, SegmenterConfig config, String source) {
        List<String> expected = TensorNames.of(config);
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(weights.names());
        List<String> extra = new ArrayList<>(weights.names());
        extra.removeAll(expected);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException(source + " does not hold the tensors of a ResNet-" + config.depth()
                    + " DeepLabV3+: " + (missing.isEmpty() ? ""
                    : "missing " + missing.subList(0, Math.min(5, missing.size())) + (missing.size() > 5 ? "…" : "")
                    + " ") + (extra.isEmpty() ? "" : "unexpected " + extra.subList(0, Math.min(5, extra.size()))
                    + (extra.size() > 5 ? "…" : "")));
        }
    }
}
