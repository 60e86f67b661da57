package io.pseudolabel.config;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.pseudolabel.clip.ClipSettings;
import io.pseudolabel.dino.DinoSettings;
import io.pseudolabel.dino.PromptMode;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.masks.GroupingConfig;
import io.pseudolabel.masks.OverlapRule;
import io.pseudolabel.onnx.ExecutionDevice;
import io.pseudolabel.onnx.RuntimeOptions;
import io.pseudolabel.sam.SamSettings;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * Everything the labeller needs, read once from {@code pseudolabel.*} (reference.conf + overrides) on the
 * driver and shipped to executors as this one small serialisable object.
 */
public record LabelerSettings(String modelsDir, String clipDir, String dinoDir, String samDir, RuntimeOptions runtime,
        Supervision supervision, ClipSettings clip, DinoSettings dino, SamSettings sam, GroupingConfig grouping,
        OverlapRule overlap, ImageLimits image, ModelCache modelCache) implements Serializable {

    private static final String P = "pseudolabel.";

    /** Reads {@code pseudolabel.*} by full path, so that every error names the key as the user writes it. */
    public static LabelerSettings from(Config r) {
        ImageLimits image = ImageLimits.from(r); // its errors name the key already
        try {
            RuntimeOptions runtime = new RuntimeOptions(parse(r, "models.device", ExecutionDevice::parse), -1,
                    parse(r, "models.ort.opt-level", LabelerSettings::parseOptLevel),
                    r.getInt(P + "models.ort.intra-op-threads"), r.getInt(P + "models.ort.inter-op-threads"));
            ClipSettings clipSettings = new ClipSettings((float) r.getDouble(P + "clip.logit-scale"),
                    r.getInt(P + "clip.top-n"), (float) r.getDouble(P + "clip.min-prob"),
                    (float) r.getDouble(P + "clip-head.min-prob"),
                    r.getInt(P + "clip.text-batch-size"),
                    r.getStringList(P + "clip.templates"));
            DinoSettings dino = new DinoSettings(r.getString(P + "grounding-dino.model-file"),
                    (float) r.getDouble(P + "grounding-dino.box-threshold"),
                    (float) r.getDouble(P + "grounding-dino.text-threshold"),
                    parse(r, "grounding-dino.prompt-mode", PromptMode::parse),
                    (float) r.getDouble(P + "grounding-dino.nms-iou"),
                    r.getInt(P + "grounding-dino.max-detections-per-class"));
            SamSettings sam = new SamSettings(r.getString(P + "sam.encoder"), r.getString(P + "sam.decoder"),
                    (float) r.getDouble(P + "sam.mask-threshold"), r.getInt(P + "sam.image-batch-size"));
            GroupingConfig grouping = new GroupingConfig((float) r.getDouble(P + "grouping.box-margin"),
                    (float) r.getDouble(P + "grouping.min-box-iou"), (float) r.getDouble(P + "grouping.near-tie"),
                    (float) r.getDouble(P + "grouping.ignore-below"), r.getInt(P + "grouping.ignore-boundary"));
            OverlapRule overlap = parse(r, "grouping.overlap", LabelerSettings::parseOverlap);
            return new LabelerSettings(r.getString(P + "models.dir"), r.getString(P + "models.clip"),
                    r.getString(P + "models.grounding-dino"), r.getString(P + "models.sam"), runtime,
                    parse(r, "supervision", Supervision::parse), clipSettings, dino, sam, grouping, overlap,
                    image, ModelCache.from(r));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
    }

    /** The string at {@code pseudolabel.key} through {@code parser}; a refused value names the full key. */
    private static <T> T parse(Config root, String key, Function<String, T> parser) {
        try {
            return parser.apply(root.getString(P + key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(P + key + ": " + e.getMessage(), e);
        }
    }

    static OptLevel parseOptLevel(String s) {
        try {
            return OptLevel.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be one of " + Arrays.toString(OptLevel.values())
                    + "; got '" + s + "'", e);
        }
    }

    static OverlapRule parseOverlap(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "smaller-on-top" -> OverlapRule.SMALLER_ON_TOP;
            case "score" -> OverlapRule.SCORE;
            case "ignore" -> OverlapRule.IGNORE;
            default -> throw new IllegalArgumentException(
                    "must be smaller-on-top, score or ignore; got '" + s + "'");
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

    /** {@code pseudolabel.image.max-pixels}. */
    public long maxPixels() {
        return image.maxPixels();
    }

    public LabelerSettings withRuntime(RuntimeOptions r) {
        return new LabelerSettings(modelsDir, clipDir, dinoDir, samDir, r, supervision, clip, dino, sam, grouping,
                overlap, image, modelCache);
    }
}
