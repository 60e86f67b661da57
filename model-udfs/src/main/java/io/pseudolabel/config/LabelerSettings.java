package io.pseudolabel.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.pseudolabel.clip.ClipSettings;
import io.pseudolabel.dino.DinoSettings;
import io.pseudolabel.dino.PromptMode;
import io.pseudolabel.labeler.Supervision;
import io.pseudolabel.masks.GroupingConfig;
import io.pseudolabel.masks.OverlapRule;
import io.pseudolabel.onnx.ExecutionDevice;
import io.pseudolabel.onnx.RuntimeOptions;
import io.pseudolabel.sam.SamSettings;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Everything the labeller needs, read once from {@code pseudolabel.*} (reference.conf + overrides) on the
 * driver and shipped to executors as this one small serialisable object.
 */
public record LabelerSettings(String modelsDir, String clipDir, String dinoDir, String samDir, RuntimeOptions runtime,
        Supervision supervision, ClipSettings clip, DinoSettings dino, SamSettings sam, GroupingConfig grouping,
        OverlapRule overlap, long maxPixels) implements Serializable {

    public static LabelerSettings from(Config root) {
        Config c = root.getConfig("pseudolabel");
        try {
            Config m = c.getConfig("models");
            RuntimeOptions runtime = new RuntimeOptions(ExecutionDevice.parse(m.getString("device")), -1,
                    m.getString("ort.opt-level"), m.getInt("ort.intra-op-threads"), m.getInt("ort.inter-op-threads"));
            Config clip = c.getConfig("clip");
            ClipSettings clipSettings = new ClipSettings((float) clip.getDouble("logit-scale"), clip.getInt("top-n"),
                    (float) clip.getDouble("min-prob"), clip.getInt("text-batch-size"), clip.getInt("image-batch-size"),
                    clip.getStringList("templates"));
            Config d = c.getConfig("grounding-dino");
            DinoSettings dino = new DinoSettings(d.getString("model-file"), (float) d.getDouble("box-threshold"),
                    (float) d.getDouble("text-threshold"), PromptMode.parse(d.getString("prompt-mode")),
                    (float) d.getDouble("nms-iou"), d.getInt("max-detections-per-class"));
            Config s = c.getConfig("sam");
            SamSettings sam = new SamSettings(s.getString("encoder"), s.getString("decoder"),
                    (float) s.getDouble("mask-threshold"));
            Config g = c.getConfig("grouping");
            GroupingConfig grouping = new GroupingConfig((float) g.getDouble("box-margin"),
                    (float) g.getDouble("min-box-iou"), (float) g.getDouble("near-tie"));
            OverlapRule overlap = parseOverlap(g.getString("overlap"));
            return new LabelerSettings(m.getString("dir"), m.getString("clip"), m.getString("grounding-dino"),
                    m.getString("sam"), runtime, Supervision.parse(c.getString("supervision")), clipSettings, dino, sam,
                    grouping, overlap, c.getLong("image.max-pixels"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad configuration under pseudolabel: " + e.getMessage(), e);
        }
    }

    static OverlapRule parseOverlap(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "smaller-on-top" -> OverlapRule.SMALLER_ON_TOP;
            case "score" -> OverlapRule.SCORE;
            case "ignore" -> OverlapRule.IGNORE;
            default -> throw new IllegalArgumentException(
                    "pseudolabel.grouping.overlap must be smaller-on-top, score or ignore; got '" + s + "'");
        };
    }

    private Path resolve(String explicit, String child) {
        if (!explicit.isBlank()) {
            return Path.of(explicit);
        }
        if (modelsDir.isBlank()) {
            throw new IllegalArgumentException("no model directory: set --models DIR (pseudolabel.models.dir) or "
                    + "pseudolabel.models." + child);
        }
        return Path.of(modelsDir).resolve(child);
    }

    public Path clipPath() {
        return resolve(clipDir, "clip");
    }

    public Path dinoPath() {
        return resolve(dinoDir, "grounding-dino");
    }

    public Path samPath() {
        return resolve(samDir, "sam");
    }

    public LabelerSettings withModelsDir(String dir) {
        return new LabelerSettings(dir, clipDir, dinoDir, samDir, runtime, supervision, clip, dino, sam, grouping,
                overlap, maxPixels);
    }

    public LabelerSettings withSupervision(Supervision s) {
        return new LabelerSettings(modelsDir, clipDir, dinoDir, samDir, runtime, s, clip, dino, sam, grouping,
                overlap, maxPixels);
    }

    public LabelerSettings withRuntime(RuntimeOptions r) {
        return new LabelerSettings(modelsDir, clipDir, dinoDir, samDir, r, supervision, clip, dino, sam, grouping,
                overlap, maxPixels);
    }
}
